// SPDX-License-Identifier: GPL-2.0

//! The requests a device is working on, and when each may end.
//!
//! A request ends exactly once: when every frame was sent and answered (or failed) *and* the
//! network stack released every write transmission, whose frames carry the request's pages.
//! Two things end it sooner, failed: the stack holding its pages longer than the dead time
//! after its last answer ([`RequestTable::expire`]), and the device going down
//! ([`RequestTable::fail_all`], once the driver has forgotten its frames). A release that
//! comes after its request ended finds no request, by its cookie, and changes nothing.
//!
//! Times are plain integers in one unit (the driver uses µs) from any fixed origin.

use core::{
    borrow::BorrowMut,
    marker::PhantomData, //
};

use super::split::Frames;

/// The number of low cookie bits that hold the request's index.
pub const COOKIE_INDEX_BITS: u32 = 16;

/// The most entries a table uses: the indices a cookie holds.
pub const MAX_REQUESTS: usize = 1 << COOKIE_INDEX_BITS;

/// A request being worked on: the driver's handle and what the request still waits for.
pub struct Tracked<R> {
    /// The driver's handle of the request.
    handle: R,
    /// The request's index and a table-wide sequence, naming it in release notifications so
    /// that a late release cannot touch a later request in the same entry.
    cookie: u64,
    /// Its frames not yet sent.
    unsent: Frames,
    /// Its frames sent and not yet answered or forgotten.
    in_flight: u32,
    /// Its write transmissions the network stack still holds.
    unreleased: u32,
    /// Whether a frame failed.
    failed: bool,
    /// When every frame had been answered while transmissions were still held.
    answered_at: Option<u64>,
}

impl<R> Tracked<R> {
    /// The driver's handle of the request.
    pub fn handle(&self) -> &R {
        &self.handle
    }

    /// The cookie naming the request in its transmissions.
    pub fn cookie(&self) -> u64 {
        self.cookie
    }

    /// Whether a frame of the request failed, so it ends with an error.
    pub fn failed(&self) -> bool {
        self.failed
    }

    /// The driver's handle, to end the request with.
    pub fn into_handle(self) -> R {
        self.handle
    }

    /// Whether every frame was sent and answered (or failed).
    fn answered(&self) -> bool {
        self.in_flight == 0 && self.unsent.len() == 0
    }

    /// Whether the request is done: nothing left to send, answer or release.
    fn done(&self) -> bool {
        self.answered() && self.unreleased == 0
    }

    /// Fails the frames not yet sent.
    fn fail(&mut self) {
        self.failed = true;
        self.unsent.clear();
    }
}

/// Events counted for the statistics.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RequestCounts {
    /// Requests whose frames were all answered before the stack released their pages.
    pub waited_for_release: u64,
    /// Transmissions released after every frame of their request was answered.
    pub late_releases: u64,
    /// The longest a request waited for a release after its last answer.
    pub longest_release_wait: u64,
    /// Requests failed because the stack held their pages longer than the dead time.
    pub release_timeouts: u64,
}

/// Where requests go that are done, to be ended by the caller after its lock: it takes one or
/// gives it back, which leaves the request in the table for a later sweep.
pub trait Ended<R> {
    /// Takes `done`, or gives it back.
    fn take(&mut self, done: Tracked<R>) -> Result<(), Tracked<R>>;
}

/// A fixed-capacity table of requests, over storage the caller provides; it never allocates.
///
/// # Invariants
///
/// Each `Some` entry at index `i` has a cookie whose low [`COOKIE_INDEX_BITS`] are `i`, and no
/// two requests admitted by the table share a cookie until `next_sequence` wraps.
pub struct RequestTable<R, S> {
    /// The entries; `None` marks a free one.
    entries: S,
    /// The sequence part of the next request's cookie.
    next_sequence: u64,
    /// Events counted.
    counts: RequestCounts,
    _handle: PhantomData<R>,
}

impl<R, S: BorrowMut<[Option<Tracked<R>>]>> RequestTable<R, S> {
    /// Makes a table of the entries in `entries`, all freed; only the first [`MAX_REQUESTS`]
    /// are used.
    pub fn new(mut entries: S) -> Self {
        let all: &mut [Option<Tracked<R>>] = entries.borrow_mut();
        for entry in all.iter_mut() {
            *entry = None;
        }
        RequestTable {
            entries,
            next_sequence: 0,
            counts: RequestCounts::default(),
            _handle: PhantomData,
        }
    }

    /// The entries.
    fn entries(&self) -> &[Option<Tracked<R>>] {
        self.entries.borrow()
    }

    /// The entries, mutably.
    fn entries_mut(&mut self) -> &mut [Option<Tracked<R>>] {
        self.entries.borrow_mut()
    }

    /// The events counted so far.
    pub fn counts(&self) -> RequestCounts {
        self.counts
    }

    /// How many requests are being worked on.
    pub fn len(&self) -> usize {
        self.entries().iter().flatten().count()
    }

    /// Whether no request is being worked on.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Takes a request with the frames `unsent` into a free entry and returns its index, or
    /// gives the handle back when every entry is taken.
    pub fn admit(&mut self, handle: R, unsent: Frames) -> Result<usize, R> {
        let sequence = self.next_sequence;
        let Some((index, entry)) = self
            .entries_mut()
            .iter_mut()
            .take(MAX_REQUESTS)
            .enumerate()
            .find(|(_, entry)| entry.is_none())
        else {
            return Err(handle);
        };
        // INVARIANT: `index` is below `MAX_REQUESTS`, so it fits the low bits.
        let cookie = (sequence << COOKIE_INDEX_BITS) | u64::try_from(index).unwrap_or(0);
        *entry = Some(Tracked {
            handle,
            cookie,
            unsent,
            in_flight: 0,
            unreleased: 0,
            failed: false,
            answered_at: None,
        });
        self.next_sequence = sequence.wrapping_add(1);
        Ok(index)
    }

    /// The request at `index`.
    pub fn get(&self, index: usize) -> Option<&Tracked<R>> {
        self.entries().get(index)?.as_ref()
    }

    /// The request at `index`, mutably.
    fn get_mut(&mut self, index: usize) -> Option<&mut Tracked<R>> {
        self.entries_mut().get_mut(index)?.as_mut()
    }

    /// The index of the request `cookie` names, if it has not ended.
    fn index_of(&self, cookie: u64) -> Option<usize> {
        let index = usize::try_from(cookie & ((1 << COOKIE_INDEX_BITS) - 1)).ok()?;
        let tracked = self.get(index)?;
        (tracked.cookie == cookie).then_some(index)
    }

    /// The next frame of request `index` not yet sent, as `(first sector, sector count)`.
    pub fn next_frame(&self, index: usize) -> Option<(u64, u8)> {
        self.get(index)?.unsent.clone().next()
    }

    /// Request `index`'s next frame was sent; `carries_pages` when the stack will release it.
    pub fn sent(&mut self, index: usize, carries_pages: bool) {
        if let Some(tracked) = self.get_mut(index) {
            tracked.unsent.next();
            tracked.in_flight += 1;
            if carries_pages {
                tracked.unreleased += 1;
            }
        }
    }

    /// A frame of request `index` in flight was sent again; `carries_pages` when the stack
    /// will release this transmission too.
    pub fn resent(&mut self, index: usize, carries_pages: bool) {
        if let Some(tracked) = self.get_mut(index) {
            if carries_pages {
                tracked.unreleased += 1;
            }
        }
    }

    /// A frame of request `index` in flight was answered, or forgotten, successfully or not.
    pub fn frame_ended(&mut self, index: usize, succeeded: bool) {
        if let Some(tracked) = self.get_mut(index) {
            tracked.in_flight = tracked.in_flight.saturating_sub(1);
            if !succeeded {
                tracked.fail();
            }
        }
    }

    /// Request `index` fails: its frames not yet sent are dropped, those in flight still count.
    pub fn fail(&mut self, index: usize) {
        if let Some(tracked) = self.get_mut(index) {
            tracked.fail();
        }
    }

    /// The stack released a transmission of the request `cookie` names, at `now`. Returns the
    /// request's index, unless it has ended (its pages expired or the device went down).
    pub fn released(&mut self, cookie: u64, now: u64) -> Option<usize> {
        let index = self.index_of(cookie)?;
        let counts = &mut self.counts;
        let all: &mut [Option<Tracked<R>>] = self.entries.borrow_mut();
        let tracked = all.get_mut(index)?.as_mut()?;
        tracked.unreleased = tracked.unreleased.saturating_sub(1);
        if let Some(answered) = tracked.answered_at {
            counts.late_releases += 1;
            counts.longest_release_wait = counts
                .longest_release_wait
                .max(now.saturating_sub(answered));
        }
        Some(index)
    }

    /// A transmission of the request `cookie` names was not sent, so no release will come for
    /// it. Returns the request's index, if it has not ended.
    pub fn not_sent(&mut self, cookie: u64) -> Option<usize> {
        let index = self.index_of(cookie)?;
        let tracked = self.get_mut(index)?;
        tracked.unreleased = tracked.unreleased.saturating_sub(1);
        Some(index)
    }

    /// Hands request `index` to `ended` if it is done; a request answered while the stack
    /// still holds transmissions starts waiting for their release at `now`.
    pub fn end_if_done(&mut self, index: usize, now: u64, ended: &mut impl Ended<R>) {
        let counts = &mut self.counts;
        let all: &mut [Option<Tracked<R>>] = self.entries.borrow_mut();
        let Some(entry) = all.get_mut(index) else {
            return;
        };
        let Some(tracked) = entry.as_mut() else {
            return;
        };
        if tracked.answered() && tracked.unreleased != 0 && tracked.answered_at.is_none() {
            counts.waited_for_release += 1;
            tracked.answered_at = Some(now);
        }
        if !tracked.done() {
            return;
        }
        if let Some(done) = entry.take() {
            if let Err(refused) = ended.take(done) {
                *entry = Some(refused);
            }
        }
    }

    /// Fails the answered requests whose transmissions the stack has held longer than `dead`
    /// at `now`, forgetting those transmissions (their releases will find no request), and
    /// hands every done request to `ended`, those a refusal left behind included.
    pub fn expire(&mut self, now: u64, dead: u64, ended: &mut impl Ended<R>) {
        for index in 0..self.entries().len() {
            let counts = &mut self.counts;
            let all: &mut [Option<Tracked<R>>] = self.entries.borrow_mut();
            if let Some(Some(tracked)) = all.get_mut(index) {
                if tracked
                    .answered_at
                    .is_some_and(|answered| now.saturating_sub(answered) > dead)
                {
                    counts.release_timeouts += 1;
                    tracked.unreleased = 0;
                    tracked.failed = true;
                }
            }
            self.end_if_done(index, now, ended);
        }
    }

    /// Fails every request, as when the device goes down once the caller has forgotten every
    /// frame in flight ([`RequestTable::frame_ended`]); each ends once the stack has released
    /// its transmissions, or they expire.
    pub fn fail_all(&mut self, now: u64, ended: &mut impl Ended<R>) {
        for index in 0..self.entries().len() {
            self.fail(index);
            self.end_if_done(index, now, ended);
        }
    }
}
