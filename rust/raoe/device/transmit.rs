// SPDX-License-Identifier: GPL-2.0

//! Frames are built under the device lock and sent after it; a write frame holds references
//! on its request's pages from the moment it is built, so it may go out whenever the request
//! ends. The network stack's release of each write transmission is what lets a write end.

use super::{
    requests::{
        end,
        Work, //
    },
    state::{
        AoeDevice,
        FrameState,
        Inflight, //
    },
};
use crate::{
    logic::requests::Tracked,
    logic::wire::{
        self,
        AtaCommand,
        AtaRequest,
        Header, //
    },
    sys::net::{
        self,
        ReleaseNotify, //
    },
    sys::pages::PinnedFrags,
};
use kernel::{
    prelude::*,
    sync::{
        atomic::Relaxed,
        Arc, //
    },
    time::Instant,
};

/// Frames built under the lock and sent after it, per round.
const SEND_BATCH: usize = 16;

/// A frame built under the lock, to send after it.
pub(super) struct Outgoing {
    /// The frame (header, zero-padded to the Ethernet minimum for reads).
    frame: [u8; wire::ETH_MIN_FRAME_LEN],
    /// The header length of a write; its data follows as `data`.
    header_len: usize,
    /// A write's data: references on the request's pages, taken while the request was known
    /// live, so that sending after the lock is sound whenever the request ends.
    data: Option<PinnedFrags>,
    /// The interface it goes out on.
    ifindex: i32,
    /// The cookie of its request, for a write's release.
    cookie: u64,
}

/// What one round under the lock produced: frames to send and requests to end after it.
pub(super) struct Round {
    /// Frames to send.
    pub(super) out: KVec<Outgoing>,
    /// Requests that are done.
    pub(super) ended: KVec<Tracked<Work>>,
}

impl Round {
    /// Nothing yet.
    pub(super) fn new() -> Self {
        Round {
            out: KVec::new(),
            ended: KVec::new(),
        }
    }
}

impl AoeDevice {
    /// Builds the frames the windows allow into `round`, under the lock.
    pub(super) fn fill_window(&self, inflight: &mut Inflight, round: &mut Round) {
        let now_us = self.now_us();
        while round.out.len() < SEND_BATCH {
            let Some(&index) = inflight.backlog.first() else {
                return;
            };
            let Some((lba, sectors)) = inflight.requests.next_frame(index) else {
                // Every frame of the oldest request is out.
                inflight.backlog.retain(|backlogged| *backlogged != index);
                continue;
            };
            let Some(target_index) = inflight.pick_target() else {
                return;
            };
            let Some((slot, tag)) = inflight.tags.allocate() else {
                return;
            };
            let lba48 = inflight.identity.lba48;
            let flush_ext = inflight.identity.flush_ext;
            let (Some(tracked), Some(target)) = (
                inflight.requests.get(index),
                inflight.targets.get_mut(target_index),
            ) else {
                inflight.tags.release(slot);
                return;
            };
            let command = tracked.handle().command;
            let built = target.take_interface().ok_or(ENODEV).and_then(|interface| {
                let ata = AtaRequest {
                    header: Header {
                        dst: target.mac,
                        src: interface.mac,
                        shelf: self.shelf,
                        slot: self.slot,
                        tag,
                    },
                    command,
                    lba,
                    sectors,
                    lba48: if command == AtaCommand::Flush {
                        flush_ext
                    } else {
                        lba48
                    },
                };
                let next = self.outgoing(tracked, &ata, interface.ifindex)?;
                round.out.push(next, GFP_ATOMIC)?;
                Ok((ata, interface.ifindex))
            });
            let (ata, ifindex) = match built {
                Ok(built) => built,
                // Memory is short, not the link: the frame stays unsent, first in the backlog,
                // and goes at the next answer or tick (100 ms), with no timeout and no smaller
                // window. A transient GFP_ATOMIC failure is not an I/O error.
                Err(err) if err == ENOMEM => {
                    inflight.tags.release(slot);
                    self.note_send_failure(err);
                    return;
                }
                Err(_) => {
                    // The frame cannot go out: fail the request once its other frames are done.
                    inflight.tags.release(slot);
                    inflight.requests.fail(index);
                    inflight
                        .requests
                        .end_if_done(index, now_us, &mut round.ended);
                    continue;
                }
            };
            target.load.sent();
            inflight.requests.sent(index, command == AtaCommand::Write);
            let now = Instant::now();
            if let Some(entry) = inflight.frames.get_mut(slot) {
                *entry = Some(FrameState {
                    request: index,
                    target: target_index,
                    ifindex,
                    ata,
                    sent_at: now,
                    first_sent: now,
                });
            }
        }
    }

    /// Builds the frame of `ata` for `tracked`: a write holds the request's pages.
    pub(super) fn outgoing(
        &self,
        tracked: &Tracked<Work>,
        ata: &AtaRequest,
        ifindex: i32,
    ) -> Result<Outgoing> {
        let work = tracked.handle();
        let mut next = Outgoing {
            frame: [0; wire::ETH_MIN_FRAME_LEN],
            header_len: 0,
            data: None,
            ifindex,
            cookie: tracked.cookie(),
        };
        next.header_len = wire::build_ata_request(&mut next.frame, ata).map_err(|_| EINVAL)?;
        if work.command == AtaCommand::Write {
            let (offset, len) = work.data_range(ata)?;
            next.data = Some(work.request.pin_frags(offset, len)?);
        }
        Ok(next)
    }

    /// Ends the requests of `round` and sends its frames, after the lock.
    pub(super) fn finish(self: &Arc<Self>, round: Round) {
        for done in round.ended {
            end(done);
        }
        self.transmit(round.out);
    }

    /// Sends frames built under the lock.
    fn transmit(self: &Arc<Self>, frames: KVec<Outgoing>) {
        for outgoing in frames {
            let carries_pages = outgoing.data.is_some();
            let sent = match outgoing.data {
                None => net::transmit_copy(outgoing.ifindex, &outgoing.frame),
                Some(data) => {
                    let header = outgoing
                        .frame
                        .get(..outgoing.header_len)
                        .unwrap_or_default();
                    let (pinned, copied) = (data.pinned(), data.copied());
                    // Counted before the call: the release (which counts the pins released)
                    // may come before it returns; a failed send put the references back.
                    self.counters.transmissions_held.add(1, Relaxed);
                    self.pins.taken.add(u64::from(pinned), Relaxed);
                    self.pins.copied.add(u64::from(copied), Relaxed);
                    net::transmit_frags(outgoing.ifindex, header, data, self, outgoing.cookie)
                        .inspect_err(|_| {
                            self.counters.transmissions_held.fetch_sub(1, Relaxed);
                            self.pins.taken.fetch_sub(u64::from(pinned), Relaxed);
                            self.pins.copied.fetch_sub(u64::from(copied), Relaxed);
                        })
                }
            };
            if let Err(err) = sent {
                // Lost like a dropped frame: the retransmission timeout resends it.
                self.note_send_failure(err);
                if carries_pages {
                    // No release will come for this transmission.
                    self.settle(|inflight, _| inflight.requests.not_sent(outgoing.cookie));
                }
            }
        }
    }

    /// Counts a frame that could not be built or sent; logged at the 1st, 2nd, 4th, 8th...
    fn note_send_failure(&self, err: Error) {
        let failures = self.counters.send_failures.fetch_add(1, Relaxed) + 1;
        if failures.is_power_of_two() {
            pr_warn!(
                "e{}.{}: frame not sent ({failures} so far): {err:?}\n",
                self.shelf,
                self.slot
            );
        }
    }

    /// Updates a request under the lock with `update`, which returns its index if it is still
    /// there and gets the time, and ends it if that made it done.
    fn settle(self: &Arc<Self>, update: impl FnOnce(&mut Inflight, u64) -> Option<usize>) {
        let mut round = Round::new();
        {
            let mut guard = self.inflight.lock();
            let inflight = &mut *guard;
            let now_us = self.now_us();
            if let Some(index) = update(inflight, now_us) {
                inflight
                    .requests
                    .end_if_done(index, now_us, &mut round.ended);
            }
        }
        self.finish(round);
    }
}

impl ReleaseNotify for AoeDevice {
    fn released(self: &Arc<Self>, cookie: u64, pinned: u32) {
        self.pins.released.add(u64::from(pinned), Relaxed);
        self.counters.transmissions_held.fetch_sub(1, Relaxed);
        self.settle(|inflight, now_us| inflight.requests.released(cookie, now_us));
    }
}
