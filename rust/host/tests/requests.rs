// SPDX-License-Identifier: GPL-2.0

//! The request state machine: releases, late releases, expiry, device down, flush and unload,
//! against a model of the transmissions the network stack holds.

use raoe_logic::requests::*;
use raoe_logic::split::{
    split,
    Frames, //
};
use std::collections::BTreeMap;

/// The dead time of the tests.
const DEAD: u64 = 1_000;

/// Where ended requests go; refuses them while `refuse` is set.
#[derive(Default)]
struct Ender {
    ended: Vec<(u32, bool)>,
    refuse: bool,
}

impl Ended<u32> for Ender {
    fn take(&mut self, done: Tracked<u32>) -> Result<(), Tracked<u32>> {
        if self.refuse {
            return Err(done);
        }
        let failed = done.failed();
        self.ended.push((done.into_handle(), failed));
        Ok(())
    }
}

/// A request, seen from the outside.
#[derive(Default)]
struct Seen {
    /// Its index in the table, while it is there.
    index: Option<usize>,
    cookie: u64,
    /// Transmissions the stack holds.
    held: u32,
    /// Frames sent and not answered or forgotten.
    in_flight: u32,
    /// Whether its held pages may be forgotten: they expired, or the device went down.
    may_end_held: bool,
    ended: u32,
    /// Whether it ended with an error.
    failed: bool,
}

/// The table with a model of what it should do.
struct Harness {
    table: RequestTable<u32, Vec<Option<Tracked<u32>>>>,
    ender: Ender,
    now: u64,
    seen: BTreeMap<u32, Seen>,
    /// Transmissions handed to the stack (pins taken) and released by it.
    pins_taken: u64,
    pins_released: u64,
}

impl Harness {
    fn new(entries: usize) -> Self {
        Harness {
            table: RequestTable::new((0..entries).map(|_| None).collect()),
            ender: Ender::default(),
            now: 0,
            seen: BTreeMap::new(),
            pins_taken: 0,
            pins_released: 0,
        }
    }

    fn admit(&mut self, handle: u32, frames: Frames) -> usize {
        let index = self.table.admit(handle, frames).ok().expect("a free entry");
        let cookie = self.table.get(index).unwrap().cookie();
        self.seen.insert(
            handle,
            Seen {
                index: Some(index),
                cookie,
                ..Seen::default()
            },
        );
        index
    }

    fn index(&self, handle: u32) -> usize {
        self.seen[&handle].index.expect("not ended")
    }

    /// Sends request `handle`'s next frame; a write's pins its pages.
    fn send(&mut self, handle: u32, write: bool) {
        let index = self.index(handle);
        assert!(self.table.next_frame(index).is_some(), "a frame to send");
        self.table.sent(index, write);
        let seen = self.seen.get_mut(&handle).unwrap();
        seen.in_flight += 1;
        if write {
            seen.held += 1;
            self.pins_taken += 1;
        }
    }

    fn resend(&mut self, handle: u32, write: bool) {
        let index = self.index(handle);
        self.table.resent(index, write);
        if write {
            self.seen.get_mut(&handle).unwrap().held += 1;
            self.pins_taken += 1;
        }
    }

    fn answer(&mut self, handle: u32, succeeded: bool) {
        let index = self.index(handle);
        self.table.frame_ended(index, succeeded);
        self.seen.get_mut(&handle).unwrap().in_flight -= 1;
        self.table.end_if_done(index, self.now, &mut self.ender);
        self.check();
    }

    /// The stack releases one transmission of `handle`'s; whether its request was still there.
    fn release(&mut self, handle: u32) -> bool {
        let seen = self.seen.get_mut(&handle).unwrap();
        assert!(seen.held > 0, "request {handle} has no transmission held");
        seen.held -= 1;
        self.pins_released += 1;
        let index = self.table.released(seen.cookie, self.now);
        if let Some(index) = index {
            self.table.end_if_done(index, self.now, &mut self.ender);
        }
        self.check();
        index.is_some()
    }

    /// A transmission of `handle`'s failed to go out: its pins went back at once.
    fn not_sent(&mut self, handle: u32) {
        let seen = self.seen.get_mut(&handle).unwrap();
        seen.held -= 1;
        self.pins_released += 1;
        if let Some(index) = self.table.not_sent(seen.cookie) {
            self.table.end_if_done(index, self.now, &mut self.ender);
        }
        self.check();
    }

    fn tick(&mut self, elapsed: u64) {
        self.now += elapsed;
        let before = self.table.counts().release_timeouts;
        // Which requests may expire: those answered over DEAD ago and still held.
        let answered_long_ago: Vec<u32> = self
            .seen
            .iter()
            .filter(|(_, seen)| seen.index.is_some() && seen.held > 0 && seen.in_flight == 0)
            .map(|(&handle, _)| handle)
            .collect();
        self.table.expire(self.now, DEAD, &mut self.ender);
        let expired = self.table.counts().release_timeouts - before;
        if expired > 0 {
            for handle in answered_long_ago {
                self.seen.get_mut(&handle).unwrap().may_end_held = true;
            }
        }
        self.check();
    }

    /// The device goes down: every frame in flight is forgotten and every request fails.
    fn device_down(&mut self) {
        for seen in self.seen.values_mut() {
            if let Some(index) = seen.index {
                for _ in 0..seen.in_flight {
                    self.table.frame_ended(index, false);
                }
                seen.in_flight = 0;
                seen.may_end_held = true;
            }
        }
        self.table.fail_all(self.now, &mut self.ender);
        self.check();
    }

    /// Takes the ended requests into the model and checks the invariants.
    fn check(&mut self) {
        for (handle, failed) in self.ender.ended.drain(..) {
            let seen = self.seen.get_mut(&handle).unwrap();
            seen.ended += 1;
            seen.failed = failed;
            assert_eq!(seen.ended, 1, "request {handle} ended twice");
            assert_eq!(
                seen.in_flight, 0,
                "request {handle} ended with frames in flight"
            );
            assert!(
                seen.held == 0 || seen.may_end_held,
                "request {handle} ended with {} transmissions still held",
                seen.held
            );
            seen.index = None;
        }
        let live = self
            .seen
            .values()
            .filter(|seen| seen.index.is_some())
            .count();
        assert_eq!(self.table.len(), live, "the table holds the live requests");
    }

    fn ended(&self, handle: u32) -> bool {
        self.seen[&handle].ended == 1
    }

    /// Unload: every request ended, every pin released exactly once.
    fn assert_unloaded(&self) {
        assert!(self.table.is_empty(), "requests left at unload");
        assert!(self
            .seen
            .values()
            .all(|seen| seen.ended == 1 && seen.held == 0));
        assert_eq!(self.pins_taken, self.pins_released, "pins balance");
    }
}

/// The frames of a write or read of `frames` frames of 2 sectors.
fn frames(frames: u32) -> Frames {
    split(0, frames * 2, 1024, true).unwrap()
}

#[test]
fn write_ends_after_its_answers_and_releases() {
    let mut h = Harness::new(4);
    h.admit(1, frames(3));
    for _ in 0..3 {
        h.send(1, true);
    }
    assert!(h.release(1));
    assert_eq!(h.table.counts().late_releases, 0);
    for _ in 0..3 {
        h.answer(1, true);
    }
    assert!(!h.ended(1), "two transmissions still held");
    assert_eq!(h.table.counts().waited_for_release, 1);
    h.now += 7;
    assert!(h.release(1));
    assert_eq!(h.table.counts().longest_release_wait, 7);
    assert!(!h.ended(1));
    h.now += 5;
    assert!(h.release(1));
    assert!(h.ended(1) && !h.seen[&1].failed);
    let counts = h.table.counts();
    assert_eq!(counts.late_releases, 2);
    assert_eq!(counts.longest_release_wait, 12);
    assert_eq!(counts.release_timeouts, 0);
    h.assert_unloaded();
}

#[test]
fn releases_before_the_answers_end_it_at_the_last_answer() {
    let mut h = Harness::new(4);
    h.admit(1, frames(2));
    h.send(1, true);
    h.send(1, true);
    h.release(1);
    h.release(1);
    h.answer(1, true);
    assert!(!h.ended(1));
    h.answer(1, true);
    assert!(h.ended(1));
    assert_eq!(h.table.counts().waited_for_release, 0);
    h.assert_unloaded();
}

#[test]
fn a_resent_frame_waits_for_both_releases() {
    let mut h = Harness::new(4);
    h.admit(1, frames(1));
    h.send(1, true);
    h.resend(1, true);
    h.answer(1, true);
    h.release(1);
    assert!(!h.ended(1));
    h.release(1);
    assert!(h.ended(1));
    h.assert_unloaded();
}

#[test]
fn expiry_fails_a_request_and_its_late_release_is_stale() {
    let mut h = Harness::new(4);
    h.admit(1, frames(2));
    h.send(1, true);
    h.send(1, true);
    h.answer(1, true);
    h.answer(1, true);
    h.release(1);
    h.tick(DEAD);
    assert!(!h.ended(1), "not yet over the dead time");
    h.tick(1);
    assert!(h.ended(1) && h.seen[&1].failed);
    assert_eq!(h.table.counts().release_timeouts, 1);
    // The late release finds no request and changes nothing.
    assert!(!h.release(1), "the release is stale");
    assert_eq!(h.table.counts().late_releases, 1);
    h.assert_unloaded();
}

#[test]
fn a_stale_release_does_not_touch_the_next_request_in_its_entry() {
    let mut h = Harness::new(1);
    h.admit(1, frames(1));
    h.send(1, true);
    h.answer(1, true);
    h.tick(DEAD + 1);
    assert!(h.ended(1));
    h.admit(2, frames(1));
    h.send(2, true);
    assert_eq!(h.seen[&1].cookie & 0xffff, h.seen[&2].cookie & 0xffff);
    assert!(!h.release(1), "the release is stale");
    h.answer(2, true);
    assert!(!h.ended(2), "its own transmission is still held");
    h.release(2);
    assert!(h.ended(2));
    h.assert_unloaded();
}

#[test]
fn device_down_fails_everything_and_waits_for_held_pages() {
    let mut h = Harness::new(4);
    h.admit(1, frames(3));
    h.admit(2, frames(2));
    h.send(1, true);
    h.send(1, true);
    h.send(2, false);
    h.device_down();
    assert!(h.ended(2), "a read holds no pages");
    assert!(!h.ended(1), "its pages are still held");
    h.release(1);
    assert!(!h.ended(1));
    h.release(1);
    assert!(h.ended(1));
    assert!(h.seen[&1].failed && h.seen[&2].failed);
    h.assert_unloaded();
}

#[test]
fn device_down_requests_expire_if_never_released() {
    let mut h = Harness::new(4);
    h.admit(1, frames(1));
    h.send(1, true);
    h.device_down();
    h.tick(DEAD + 1);
    assert!(h.ended(1));
    assert!(!h.release(1), "the release is stale");
    h.assert_unloaded();
}

#[test]
fn requests_end_failed_when_a_frame_fails() {
    let mut h = Harness::new(4);
    h.admit(1, frames(2));
    h.send(1, false);
    h.answer(1, false);
    assert!(h.ended(1), "its unsent frame was dropped");
    let mut ender = Ender::default();
    let index = h.table.admit(9, frames(1)).unwrap();
    h.table.sent(index, false);
    h.table.frame_ended(index, true);
    h.table.end_if_done(index, 0, &mut ender);
    assert_eq!(ender.ended, vec![(9, false)]);
}

#[test]
fn flush_ends_at_its_answer() {
    let mut h = Harness::new(4);
    h.admit(1, Frames::single());
    h.send(1, false);
    assert!(h.table.next_frame(h.index(1)).is_none());
    h.answer(1, true);
    assert!(h.ended(1));
    h.assert_unloaded();
}

#[test]
fn a_transmission_not_sent_is_not_waited_for() {
    let mut h = Harness::new(4);
    h.admit(1, frames(1));
    h.send(1, true);
    h.not_sent(1);
    h.answer(1, true);
    assert!(h.ended(1));
    h.assert_unloaded();
}

#[test]
fn a_refused_request_stays_for_the_next_sweep() {
    let mut h = Harness::new(4);
    h.admit(1, frames(1));
    h.send(1, true);
    h.answer(1, true);
    h.ender.refuse = true;
    h.release(1);
    assert!(!h.ended(1));
    assert_eq!(h.table.len(), 1);
    h.ender.refuse = false;
    h.tick(1);
    assert!(h.ended(1));
    h.assert_unloaded();
}

#[test]
fn a_full_table_gives_the_request_back() {
    let mut h = Harness::new(2);
    h.admit(1, frames(1));
    h.admit(2, frames(1));
    assert_eq!(h.table.admit(3, frames(1)).err(), Some(3));
}

#[test]
fn unload_with_requests_in_every_state() {
    let mut h = Harness::new(8);
    // Sent and unanswered, answered and held, unsent, a flush.
    h.admit(1, frames(2));
    h.send(1, true);
    h.admit(2, frames(1));
    h.send(2, true);
    h.answer(2, true);
    h.admit(3, frames(4));
    h.admit(4, Frames::single());
    h.send(4, false);
    h.device_down();
    assert!(h.ended(3) && h.ended(4));
    h.release(2);
    h.tick(DEAD + 1);
    assert!(h.ended(1) && h.ended(2));
    h.release(1);
    h.assert_unloaded();
}

/// A small deterministic generator.
struct XorShift(u64);

impl XorShift {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

#[test]
fn random_runs_keep_the_invariants() {
    for seed in 1..200u64 {
        let mut rng = XorShift(seed * 0x9e37_79b9_7f4a_7c15);
        let mut h = Harness::new(4);
        let mut next_handle = 0u32;
        for _ in 0..300 {
            let live: Vec<u32> = h
                .seen
                .iter()
                .filter(|(_, seen)| seen.index.is_some())
                .map(|(&handle, _)| handle)
                .collect();
            let held: Vec<u32> = h
                .seen
                .iter()
                .filter(|(_, seen)| seen.held > 0)
                .map(|(&handle, _)| handle)
                .collect();
            match rng.below(9) {
                0 if live.len() < 4 => {
                    next_handle += 1;
                    h.admit(next_handle, frames(1 + rng.below(3) as u32));
                }
                1 | 2 if !live.is_empty() => {
                    let handle = live[rng.below(live.len() as u64) as usize];
                    if h.table.next_frame(h.index(handle)).is_some() {
                        h.send(handle, handle % 2 == 0);
                    }
                }
                3 if !live.is_empty() => {
                    let handle = live[rng.below(live.len() as u64) as usize];
                    if h.seen[&handle].in_flight > 0 {
                        h.answer(handle, rng.below(8) != 0);
                    }
                }
                4 if !live.is_empty() => {
                    let handle = live[rng.below(live.len() as u64) as usize];
                    if h.seen[&handle].in_flight > 0 && handle % 2 == 0 {
                        h.resend(handle, true);
                    }
                }
                5 | 6 if !held.is_empty() => {
                    let handle = held[rng.below(held.len() as u64) as usize];
                    h.release(handle);
                }
                7 => h.tick(rng.below(DEAD / 2)),
                8 if rng.below(10) == 0 => h.device_down(),
                _ => {}
            }
        }
        // Unload: the device goes down, the stack releases everything, the sweep ends the
        // rest.
        h.device_down();
        let held: Vec<u32> = h
            .seen
            .iter()
            .flat_map(|(&handle, seen)| std::iter::repeat(handle).take(seen.held as usize))
            .collect();
        for handle in held {
            h.release(handle);
        }
        h.tick(DEAD + 1);
        h.assert_unloaded();
    }
}
