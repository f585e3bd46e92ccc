// SPDX-License-Identifier: GPL-2.0

//! The RTT estimator and the congestion window.

use raoe_logic::rtt_window::*;

#[test]
fn rtt_starts_at_one_second() {
    let rtt = RttEstimator::new();
    assert_eq!(rtt.average_us(), 250_000);
    assert_eq!(rtt.deviation_us(), 62_500);
    assert_eq!(rtt.rto_us(), 1_000_000);
    assert_eq!(RttEstimator::default(), rtt);
}

#[test]
fn rtt_converges_to_a_steady_round_trip() {
    let mut rtt = RttEstimator::new();
    for _ in 0..4000 {
        rtt.sample(20_000);
    }
    assert!(
        (19_990..=20_010).contains(&rtt.average_us()),
        "{}",
        rtt.average_us()
    );
    assert!(rtt.deviation_us() <= 100, "{}", rtt.deviation_us());
    // 2 * 20 ms, and the floor of 20 ms is not in the way.
    assert!(
        (39_900..=41_000).contains(&rtt.rto_us()),
        "{}",
        rtt.rto_us()
    );
    // A 2 ms round trip gives the floor.
    for _ in 0..4000 {
        rtt.sample(2_000);
    }
    assert_eq!(rtt.rto_us(), RttEstimator::MIN_RTO_US);
}

#[test]
fn rtt_follows_jitter() {
    let mut rtt = RttEstimator::new();
    for i in 0..4000 {
        rtt.sample(if i % 2 == 0 { 10_000 } else { 30_000 });
    }
    assert!(
        (19_000..=21_000).contains(&rtt.average_us()),
        "{}",
        rtt.average_us()
    );
    assert!(
        (9_000..=11_000).contains(&rtt.deviation_us()),
        "{}",
        rtt.deviation_us()
    );
    // rto = 2 * 20 ms + 8 * 10 ms.
    assert!(
        (110_000..=130_000).contains(&rtt.rto_us()),
        "{}",
        rtt.rto_us()
    );
}

#[test]
fn rtt_clamps() {
    let mut fast = RttEstimator::new();
    for _ in 0..10_000 {
        fast.sample(0);
    }
    assert_eq!(fast.rto_us(), RttEstimator::MIN_RTO_US);
    let mut slow = RttEstimator::new();
    for _ in 0..10_000 {
        slow.sample(u32::MAX);
    }
    assert_eq!(slow.rto_us(), RttEstimator::MAX_RTO_US);
    assert!(slow.average_us() <= RttEstimator::MAX_RTO_US);
    // One huge sample moves the average by at most 1/256 of the cap.
    let mut steady = RttEstimator::new();
    for _ in 0..4000 {
        steady.sample(1_000);
    }
    steady.sample(u32::MAX);
    assert!(steady.average_us() < 1_000 + RttEstimator::MAX_RTO_US / 256 + 1);
    assert!(steady.rto_us() <= RttEstimator::MAX_RTO_US);
}

#[test]
fn window_starts_at_half() {
    assert_eq!(Window::new(16, 64).max_outstanding(), 8);
    assert_eq!(Window::new(16, 64).frames(), 16);
    assert_eq!(Window::new(200, 64).frames(), 64);
    assert_eq!(Window::new(200, 64).max_outstanding(), 32);
    assert_eq!(Window::new(16, 64).slow_start_threshold(), 8);
}

#[test]
fn window_bufcnt_zero_and_one_still_send() {
    // aoe.ko's nframes / 2 is 0 here and the target never gets a frame (OpenAoE/aoe#7).
    for bufcnt in [0, 1] {
        let mut window = Window::new(bufcnt, 64);
        assert_eq!(window.frames(), 1);
        assert_eq!(window.max_outstanding(), 1);
        assert!(window.can_send(0));
        assert!(!window.can_send(1));
        window.on_ack(1);
        window.on_timeout();
        window.reset();
        assert!(window.can_send(0));
    }
    // A cap of 0 cannot stop the device either.
    assert!(Window::new(16, 0).can_send(0));
}

#[test]
fn window_slow_start_then_linear() {
    let mut window = Window::new(64, 64);
    window.reset();
    assert_eq!(
        (window.max_outstanding(), window.slow_start_threshold()),
        (1, 32)
    );
    // Below the threshold every ack adds one, full window or not.
    for expected in 2..=32 {
        window.on_ack(0);
        assert_eq!(window.max_outstanding(), expected);
    }
    // At the threshold, acks count only while the window is full.
    for _ in 0..100 {
        window.on_ack(1);
    }
    assert_eq!(window.max_outstanding(), 32);
    // acks_to_grow started at 64: 65 full-window acks to reach 33, then 34 more for 34.
    for _ in 0..65 {
        window.on_ack(32);
    }
    assert_eq!(window.max_outstanding(), 33);
    for _ in 0..33 {
        window.on_ack(33);
    }
    assert_eq!(window.max_outstanding(), 33);
    window.on_ack(33);
    assert_eq!(window.max_outstanding(), 34);
}

#[test]
fn window_never_exceeds_frames() {
    let mut window = Window::new(8, 64);
    for _ in 0..10_000 {
        let in_flight = window.max_outstanding();
        window.on_ack(in_flight);
    }
    assert_eq!(window.max_outstanding(), 8);
    assert!(!window.can_send(8));
    assert!(window.can_send(7));
}

#[test]
fn window_halves_on_timeout() {
    let mut window = Window::new(64, 64);
    assert_eq!(window.max_outstanding(), 32);
    window.on_timeout();
    assert_eq!(
        (window.max_outstanding(), window.slow_start_threshold()),
        (1, 16)
    );
    // A second timeout at 1 keeps the threshold, as aoecmd.c:801.
    window.on_timeout();
    assert_eq!(
        (window.max_outstanding(), window.slow_start_threshold()),
        (1, 16)
    );
    for _ in 0..15 {
        window.on_ack(0);
    }
    assert_eq!(window.max_outstanding(), 16);
    // From 2 or 3 the threshold is 1, never 0.
    let mut small = Window::new(6, 64);
    assert_eq!(small.max_outstanding(), 3);
    small.on_timeout();
    assert_eq!(small.slow_start_threshold(), 1);
}

#[test]
fn window_takes_a_new_buffer_count() {
    let mut window = Window::new(64, 64);
    window.set_buffer_count(48, 64);
    assert_eq!((window.frames(), window.max_outstanding()), (48, 32));
    window.set_buffer_count(16, 64);
    assert_eq!(
        (
            window.frames(),
            window.max_outstanding(),
            window.slow_start_threshold()
        ),
        (16, 1, 8)
    );
    window.set_buffer_count(0, 64);
    assert_eq!((window.frames(), window.max_outstanding()), (1, 1));
}
