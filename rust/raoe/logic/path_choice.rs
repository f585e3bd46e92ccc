// SPDX-License-Identifier: GPL-2.0

//! Which target a frame goes to when a device answers through several (multipath).
//!
//! New frames go round-robin to the targets with room in their window. A frame that timed out
//! is resent to the next target, so that one dead path costs a frame one timeout, not all of
//! its retries. A target that let `SILENT_TIMEOUTS` frames in a row time out gets frames only
//! while no other target answers, until it answers again. aoe.ko marks such targets "tainted"
//! and probes them (aoecmd.c:584-701); here the probe is the next config reply or a late answer.

use super::rtt_window::Window;

/// Timeouts in a row after which a target counts as silent.
pub const SILENT_TIMEOUTS: u32 = 3;

/// What the choice needs to know of one target.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TargetLoad {
    /// The target's window.
    pub window: Window,
    /// Frames in flight to it.
    pub in_flight: u16,
    /// Timeouts since it last answered.
    pub silent_timeouts: u32,
}

impl TargetLoad {
    /// A target just found, with `window`.
    pub fn new(window: Window) -> Self {
        TargetLoad {
            window,
            in_flight: 0,
            silent_timeouts: 0,
        }
    }

    /// Whether it stopped answering.
    pub fn silent(&self) -> bool {
        self.silent_timeouts >= SILENT_TIMEOUTS
    }

    /// A frame went to it.
    pub fn sent(&mut self) {
        self.in_flight = self.in_flight.saturating_add(1);
    }

    /// A frame sent to it was answered (by it or, late, by another): its window may open.
    pub fn acked(&mut self) {
        self.window.on_ack(self.in_flight);
        self.in_flight = self.in_flight.saturating_sub(1);
    }

    /// A frame sent to it timed out: its window closes and it is one step closer to silent.
    pub fn timed_out(&mut self) {
        self.window.on_timeout();
        self.silent_timeouts = self.silent_timeouts.saturating_add(1);
        self.in_flight = self.in_flight.saturating_sub(1);
    }

    /// A frame sent to it was given up without an answer.
    pub fn forgotten(&mut self) {
        self.in_flight = self.in_flight.saturating_sub(1);
    }

    /// It answered, or a config reply showed it alive.
    pub fn heard(&mut self) {
        self.silent_timeouts = 0;
    }
}

impl AsRef<TargetLoad> for TargetLoad {
    fn as_ref(&self) -> &TargetLoad {
        self
    }
}

/// Whether `load` may be chosen when `any_answering` says whether some target still answers.
fn eligible(load: &TargetLoad, any_answering: bool) -> bool {
    !any_answering || !load.silent()
}

/// The target for a new frame: the first from `start` on, in turn, that is eligible and has
/// room in its window; `None` when every eligible target's window is full.
pub fn pick_for_new_frame<T: AsRef<TargetLoad>>(targets: &[T], start: usize) -> Option<usize> {
    let count = targets.len();
    let any_answering = targets.iter().any(|t| !t.as_ref().silent());
    (0..count)
        .map(|offset| (start + offset) % count)
        .find(|&index| {
            targets.get(index).is_some_and(|target| {
                let load = target.as_ref();
                eligible(load, any_answering) && load.window.can_send(load.in_flight)
            })
        })
}

/// The target to resend a frame last sent to `current` to: the next eligible one after it,
/// windows aside (a resend must not wait), or `current` when it is the only one.
pub fn pick_for_retransmit<T: AsRef<TargetLoad>>(targets: &[T], current: usize) -> usize {
    let count = targets.len();
    let any_answering = targets.iter().any(|t| !t.as_ref().silent());
    (1..=count)
        .map(|offset| (current + offset) % count)
        .find(|&index| {
            targets
                .get(index)
                .is_some_and(|target| eligible(target.as_ref(), any_answering))
        })
        .unwrap_or(current)
}
