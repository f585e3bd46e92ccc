// SPDX-License-Identifier: GPL-2.0

//! Choosing each frame's target among several.

use raoe_logic::{
    path_choice::*, //
    rtt_window::Window,
};

/// `count` targets with windows of `frames`, all answering.
fn targets(count: usize, frames: u16) -> Vec<TargetLoad> {
    (0..count)
        .map(|_| {
            let mut load = TargetLoad::new(Window::new(frames, 64));
            // Open the window fully so only `in_flight` limits it.
            for _ in 0..u32::from(frames) * u32::from(frames) {
                load.sent();
                load.acked();
            }
            load
        })
        .collect()
}

#[test]
fn new_frames_go_round_robin() {
    let loads = targets(3, 4);
    assert_eq!(pick_for_new_frame(&loads, 0), Some(0));
    assert_eq!(pick_for_new_frame(&loads, 1), Some(1));
    assert_eq!(pick_for_new_frame(&loads, 5), Some(2));
    assert_eq!(pick_for_new_frame::<TargetLoad>(&[], 0), None);
}

#[test]
fn full_windows_are_skipped() {
    let mut loads = targets(2, 2);
    let max = loads[0].window.max_outstanding();
    for _ in 0..max {
        loads[0].sent();
    }
    assert_eq!(pick_for_new_frame(&loads, 0), Some(1));
    for _ in 0..loads[1].window.max_outstanding() {
        loads[1].sent();
    }
    assert_eq!(pick_for_new_frame(&loads, 0), None);
}

#[test]
fn silent_targets_get_frames_only_when_all_are_silent() {
    let mut loads = targets(2, 4);
    for _ in 0..SILENT_TIMEOUTS {
        loads[1].sent();
        loads[1].timed_out();
    }
    assert!(loads[1].silent());
    assert_eq!(pick_for_new_frame(&loads, 1), Some(0));
    assert_eq!(pick_for_retransmit(&loads, 0), 0);
    for _ in 0..SILENT_TIMEOUTS {
        loads[0].sent();
        loads[0].timed_out();
    }
    // Nobody answers: every target is tried again.
    assert_eq!(pick_for_new_frame(&loads, 1), Some(1));
    assert_eq!(pick_for_retransmit(&loads, 0), 1);
    loads[1].heard();
    assert!(!loads[1].silent());
    assert_eq!(pick_for_new_frame(&loads, 0), Some(1));
}

#[test]
fn retransmissions_move_to_the_next_target() {
    let loads = targets(3, 4);
    assert_eq!(pick_for_retransmit(&loads, 0), 1);
    assert_eq!(pick_for_retransmit(&loads, 2), 0);
    let single = targets(1, 4);
    assert_eq!(pick_for_retransmit(&single, 0), 0);
}

#[test]
fn timeouts_close_the_window_and_acks_keep_counts_balanced() {
    let mut load = targets(1, 8).remove(0);
    load.sent();
    load.sent();
    load.timed_out();
    assert_eq!(load.window.max_outstanding(), 1);
    assert_eq!(load.in_flight, 1);
    load.acked();
    load.forgotten();
    assert_eq!(load.in_flight, 0);
}
