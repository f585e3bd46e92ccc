// SPDX-License-Identifier: GPL-2.0

//! An AoE block device: one shelf.slot, the target behind it, and the frames of its requests.
//!
//! Requests are split into frames of at most the payload size (aoecmd.c:1588-1594); frames go
//! out while the target's window allows (aoecmd.c:1001-1008), and each ATA reply is checked
//! against the frame it answers before its data is copied into the request.
//!
//! Write frames carry the request's pages themselves, pinned, and a request ends only when the
//! target has acknowledged every frame *and* the network stack has released every frame's
//! pages: a frame still queued somewhere must not carry data written into the pages after the
//! request completed. aoe.ko completes on the acknowledgement alone (aoecmd.c:1065-1076).

use crate::{
    blk::{
        Op,
        QueueRq,
        Request, //
    },
    flow::{
        RttEstimator,
        Window, //
    },
    identify::Identity,
    net::{
        self,
        ReleaseNotify, //
    },
    pages::{
        Frag,
        PinCounts,
        MAX_FRAGS, //
    },
    split::{
        self,
        Frames, //
    },
    sysfs::DiskInfo,
    tags::{
        TagSlot,
        TagTable, //
    },
    wire::{
        self,
        AtaCommand,
        AtaReply,
        AtaRequest,
        DropReason,
        Header, //
    },
};
use kernel::{
    prelude::*,
    sync::{
        atomic::{
            Atomic,
            Relaxed, //
        },
        SpinLockIrq,
    },
    time::{
        Delta,
        Instant,
        Monotonic, //
    },
};

/// The most requests a device has in flight: the tag set's depth.
pub(crate) const QUEUE_DEPTH: u32 = 128;

/// Frames built under the lock and sent after it, per round.
const SEND_BATCH: usize = 16;

/// Where a device's frames go.
#[derive(Clone, Copy)]
pub(crate) struct Path {
    /// The target's MAC address.
    pub(crate) target_mac: [u8; 6],
    /// The local interface.
    pub(crate) ifindex: i32,
    /// The local interface's name, NUL-padded.
    pub(crate) ifname: [u8; 16],
    /// The local interface's MAC address.
    pub(crate) local_mac: [u8; 6],
}

/// What a device is made from: its address, its target and what the target told.
pub(crate) struct DeviceParams {
    /// The shelf (major) number.
    pub(crate) shelf: u16,
    /// The slot (minor) number.
    pub(crate) slot: u8,
    /// Where frames go.
    pub(crate) path: Path,
    /// The target's IDENTIFY data.
    pub(crate) identity: Identity,
    /// Data bytes per frame.
    pub(crate) payload: u32,
    /// The target's buffer count.
    pub(crate) buffer_count: u16,
    /// The target's firmware version.
    pub(crate) firmware_version: u16,
}

/// A request being worked on.
struct Outstanding {
    /// The request.
    request: Request,
    /// Its frames not yet sent.
    unsent: Frames,
    /// Its frames sent and not yet answered.
    in_flight: u32,
    /// Its write frames the network stack still holds.
    unreleased: u32,
    /// Whether it writes.
    write: bool,
    /// The request's first sector, to place each frame's data.
    first_sector: u64,
    /// Whether a frame failed.
    failed: bool,
}

/// A frame in flight.
#[derive(Clone, Copy)]
struct FrameState {
    /// The index of its request in [`Inflight::requests`].
    request: usize,
    /// The request as last sent; its tag is the frame's current tag.
    ata: AtaRequest,
    /// When it was last sent, for the RTT and the retransmission timeout.
    sent_at: Instant<Monotonic>,
    /// When it was first sent, for `aoe_deadsecs`.
    first_sent: Instant<Monotonic>,
}

/// The device's state shared by the submit and receive paths.
struct Inflight {
    /// The tags of the frames in flight; one slot per frame the window can hold.
    tags: TagTable<KVec<TagSlot>>,
    /// The frame behind each tag slot.
    frames: KVec<Option<FrameState>>,
    /// Requests being worked on; `None` marks a free entry.
    requests: KVec<Option<Outstanding>>,
    /// Indices of requests with frames not yet sent, oldest first.
    backlog: KVec<usize>,
    /// The target's window.
    window: Window,
    /// The target's round-trip time.
    rtt: RttEstimator,
}

/// One AoE device.
#[pin_data]
pub(crate) struct AoeDevice {
    /// The shelf (major) number.
    pub(crate) shelf: u16,
    /// The slot (minor) number.
    pub(crate) slot: u8,
    /// Where frames go.
    path: Path,
    /// The target's IDENTIFY data.
    pub(crate) identity: Identity,
    /// Data bytes per frame.
    pub(crate) payload: u32,
    /// The target's firmware version.
    firmware_version: u16,
    /// Frames and requests in flight.
    #[pin]
    inflight: SpinLockIrq<Inflight>,
    /// Page pins of write frames.
    pub(crate) pins: PinCounts,
    /// Requests whose last acknowledgement came before the stack released their pages.
    pub(crate) waited_for_release: Atomic<u64>,
    /// Frames sent again after their timeout.
    pub(crate) retransmits: Atomic<u64>,
}

/// A frame built under the lock, to send after it.
struct Outgoing {
    /// The frame (header, zero-padded to the Ethernet minimum for reads).
    frame: [u8; wire::ETH_MIN_FRAME_LEN],
    /// The header length of a write; its data follows as `frags`.
    header_len: usize,
    /// The request's pages holding a write's data.
    frags: [Frag; MAX_FRAGS],
    /// How many of `frags` are used; 0 for reads.
    nfrags: usize,
    /// The index of the request, for a write's release.
    request: usize,
}

impl Outstanding {
    /// Whether the request is done: nothing left to send, answer or release.
    fn done(&self) -> bool {
        self.in_flight == 0 && self.unreleased == 0 && self.unsent.len() == 0
    }
}

impl AoeDevice {
    /// Creates a device for a target that answered IDENTIFY; may run in softirq context.
    pub(crate) fn new(params: DeviceParams, tag_seed: u32) -> Result<impl PinInit<Self, Error>> {
        let window = Window::new(params.buffer_count, Window::DEFAULT_CAP);
        let slots = usize::from(window.frames());
        let mut tag_slots = KVec::with_capacity(slots, GFP_ATOMIC)?;
        let mut frames = KVec::with_capacity(slots, GFP_ATOMIC)?;
        for _ in 0..slots {
            tag_slots.push(TagSlot::EMPTY, GFP_ATOMIC)?;
            frames.push(None, GFP_ATOMIC)?;
        }
        let depth = usize::try_from(QUEUE_DEPTH).map_err(|_| EINVAL)?;
        let mut requests = KVec::with_capacity(depth, GFP_ATOMIC)?;
        for _ in 0..depth {
            requests.push(None, GFP_ATOMIC)?;
        }
        let backlog = KVec::with_capacity(depth, GFP_ATOMIC)?;
        Ok(try_pin_init!(Self {
            shelf: params.shelf,
            slot: params.slot,
            path: params.path,
            identity: params.identity,
            payload: params.payload,
            firmware_version: params.firmware_version,
            inflight <- kernel::new_spinlock_irq!(
                Inflight {
                    tags: TagTable::new(tag_slots, tag_seed),
                    frames,
                    requests,
                    backlog,
                    window,
                    rtt: RttEstimator::new(),
                },
                "AoeDevice::inflight"
            ),
            pins: PinCounts::new(),
            waited_for_release: Atomic::new(0),
            retransmits: Atomic::new(0),
        }? Error))
    }

    /// What the disk's sysfs attributes show.
    pub(crate) fn fill_info(&self, info: &mut DiskInfo) {
        info.up = true;
        info.mac = self.path.target_mac;
        info.netif = self.path.ifname;
        info.firmware_version = self.firmware_version;
        info.payload = self.payload;
    }

    /// Builds the frames the window allows into `out`, under the lock.
    fn fill_window(&self, inflight: &mut Inflight, out: &mut KVec<Outgoing>) {
        while out.len() < SEND_BATCH {
            let in_flight = u16::try_from(inflight.tags.in_flight()).unwrap_or(u16::MAX);
            if !inflight.window.can_send(in_flight) {
                return;
            }
            let Some(&index) = inflight.backlog.first() else {
                return;
            };
            let Some(Some(outstanding)) = inflight.requests.get_mut(index) else {
                inflight.backlog.remove(0).ok();
                continue;
            };
            let Some((lba, sectors)) = outstanding.unsent.next() else {
                inflight.backlog.remove(0).ok();
                continue;
            };
            let Some((slot, tag)) = inflight.tags.allocate() else {
                return;
            };
            let request = AtaRequest {
                header: Header {
                    dst: self.path.target_mac,
                    src: self.path.local_mac,
                    shelf: self.shelf,
                    slot: self.slot,
                    tag,
                },
                command: if outstanding.write {
                    AtaCommand::Write
                } else {
                    AtaCommand::Read
                },
                lba,
                sectors,
                lba48: self.identity.lba48,
            };
            let built = self
                .outgoing(outstanding, index, &request)
                .and_then(|next| out.push(next, GFP_ATOMIC).map_err(|_| ENOMEM));
            if built.is_err() {
                // The frame cannot go out: fail the request once its other frames are done.
                inflight.tags.release(slot);
                outstanding.failed = true;
                continue;
            }
            outstanding.in_flight += 1;
            if outstanding.write {
                outstanding.unreleased += 1;
            }
            let now = Instant::now();
            if let Some(entry) = inflight.frames.get_mut(slot) {
                *entry = Some(FrameState {
                    request: index,
                    ata: request,
                    sent_at: now,
                    first_sent: now,
                });
            }
        }
    }

    /// Builds the frame of `ata` for request `index`: a write carries the request's pages.
    fn outgoing(
        &self,
        outstanding: &Outstanding,
        index: usize,
        ata: &AtaRequest,
    ) -> Result<Outgoing> {
        let mut next = Outgoing {
            frame: [0; wire::ETH_MIN_FRAME_LEN],
            header_len: 0,
            frags: [Frag::EMPTY; MAX_FRAGS],
            nfrags: 0,
            request: index,
        };
        next.header_len = wire::build_ata_request(&mut next.frame, ata).map_err(|_| EINVAL)?;
        if outstanding.write {
            let offset = ata
                .lba
                .saturating_sub(outstanding.first_sector)
                .saturating_mul(512);
            let offset = u32::try_from(offset).map_err(|_| EINVAL)?;
            let len = u32::from(ata.sectors).saturating_mul(512);
            next.nfrags = outstanding.request.frags(offset, len, &mut next.frags)?;
        }
        Ok(next)
    }

    /// Resends the frames whose timeout passed, with new tags, and fails those waiting longer
    /// than `dead` (aoecmd.c:733-831); runs every 100 ms in process context.
    pub(crate) fn tick(&self, dead: Delta) {
        let mut out = KVec::new();
        let mut ended = KVec::new();
        {
            let mut guard = self.inflight.lock();
            let inflight = &mut *guard;
            let rto_us = i64::from(inflight.rtt.rto_us());
            let mut timed_out = false;
            for slot in 0..inflight.frames.len() {
                let Some(Some(frame)) = inflight.frames.get(slot).copied() else {
                    continue;
                };
                if frame.sent_at.elapsed().as_micros_ceil() < rto_us {
                    continue;
                }
                timed_out = true;
                let Some(Some(outstanding)) = inflight.requests.get_mut(frame.request) else {
                    continue;
                };
                let resent = if frame.first_sent.elapsed() > dead {
                    Err(ETIMEDOUT)
                } else {
                    let mut ata = frame.ata;
                    inflight
                        .tags
                        .retransmit(slot)
                        .ok_or(EINVAL)
                        .and_then(|tag| {
                            ata.header.tag = tag;
                            self.outgoing(outstanding, frame.request, &ata)
                        })
                        .and_then(|next| out.push(next, GFP_ATOMIC).map_err(|_| ENOMEM))
                        .map(|()| ata)
                };
                match resent {
                    Ok(ata) => {
                        self.retransmits.add(1, Relaxed);
                        if outstanding.write {
                            outstanding.unreleased += 1;
                        }
                        if let Some(Some(entry)) = inflight.frames.get_mut(slot) {
                            entry.ata = ata;
                            entry.sent_at = Instant::now();
                        }
                    }
                    Err(err) => {
                        pr_err!(
                            "e{}.{}: frame at sector {} failed: {err:?}\n",
                            self.shelf,
                            self.slot,
                            frame.ata.lba
                        );
                        inflight.tags.release(slot);
                        if let Some(entry) = inflight.frames.get_mut(slot) {
                            *entry = None;
                        }
                        outstanding.in_flight = outstanding.in_flight.saturating_sub(1);
                        outstanding.failed = true;
                        if outstanding.done() {
                            if let Some(Some(done)) =
                                inflight.requests.get_mut(frame.request).map(Option::take)
                            {
                                ended.push(done, GFP_ATOMIC).ok();
                            }
                        }
                    }
                }
            }
            if timed_out {
                inflight.window.on_timeout();
            }
        }
        for outstanding in ended {
            end(outstanding);
        }
        self.transmit(&out);
    }

    /// Sends frames built by [`Self::fill_window`].
    fn transmit(&self, frames: &[Outgoing]) {
        for outgoing in frames {
            let sent = if outgoing.nfrags == 0 {
                net::transmit_copy(self.path.ifindex, &outgoing.frame)
            } else {
                let header = outgoing
                    .frame
                    .get(..outgoing.header_len)
                    .unwrap_or_default();
                let frags = outgoing.frags.get(..outgoing.nfrags).unwrap_or_default();
                let cookie = u64::try_from(outgoing.request).unwrap_or(u64::MAX);
                // SAFETY: The request owning the frag pages ends only after this frame is
                // released (or fails to send, below), and `self` outlives its requests: the
                // disk's removal waits for them.
                unsafe { net::transmit_frags(self.path.ifindex, header, frags, self, cookie) }.map(
                    |(pinned, copied)| {
                        self.pins.taken.add(u64::from(pinned), Relaxed);
                        self.pins.copied.add(u64::from(copied), Relaxed);
                    },
                )
            };
            if let Err(err) = sent {
                pr_warn!("e{}.{}: frame not sent: {err:?}\n", self.shelf, self.slot);
                if outgoing.nfrags != 0 {
                    // No release will come for this frame.
                    self.settle(outgoing.request, |outstanding| {
                        outstanding.unreleased = outstanding.unreleased.saturating_sub(1);
                        outstanding.failed = true;
                    });
                }
            }
        }
    }

    /// Updates request `index` under the lock and ends it if that made it done.
    fn settle(&self, index: usize, update: impl FnOnce(&mut Outstanding)) {
        let done = {
            let mut inflight = self.inflight.lock();
            let Some(entry) = inflight.requests.get_mut(index) else {
                return;
            };
            if let Some(outstanding) = entry.as_mut() {
                update(outstanding);
            }
            if entry.as_ref().is_some_and(Outstanding::done) {
                entry.take()
            } else {
                None
            }
        };
        if let Some(outstanding) = done {
            end(outstanding);
        }
    }

    /// Takes the ATA reply to one of this device's frames; softirq context.
    pub(crate) fn receive(&self, reply: &AtaReply<'_>) -> Result<(), DropReason> {
        let mut out = KVec::new();
        let mut done = None;
        let result = {
            let mut guard = self.inflight.lock();
            let inflight = &mut *guard;
            let matched = inflight.tags.complete(reply.header.tag)?;
            let frame = inflight
                .frames
                .get_mut(matched.slot)
                .and_then(Option::take)
                .ok_or(DropReason::UnsolicitedTag)?;
            // A late reply to the previous tag says nothing about the current round trip.
            if !matched.previous {
                let rtt_us = frame.sent_at.elapsed().as_micros_ceil();
                inflight
                    .rtt
                    .sample(u32::try_from(rtt_us).unwrap_or(u32::MAX));
            }
            let in_flight = u16::try_from(inflight.tags.in_flight()).unwrap_or(u16::MAX);
            inflight.window.on_ack(in_flight);
            let checked = wire::check_ata_reply(reply, &frame.ata.sent());
            if let Some(entry) = inflight.requests.get_mut(frame.request) {
                if let Some(outstanding) = entry.as_mut() {
                    outstanding.in_flight = outstanding.in_flight.saturating_sub(1);
                    match checked {
                        Ok(()) if !outstanding.write => {
                            let offset = frame
                                .ata
                                .lba
                                .saturating_sub(outstanding.first_sector)
                                .saturating_mul(512);
                            outstanding
                                .request
                                .copy_in(u32::try_from(offset).unwrap_or(u32::MAX), reply.data);
                        }
                        Ok(()) => {}
                        Err(_) => outstanding.failed = true,
                    }
                    let acked = outstanding.in_flight == 0 && outstanding.unsent.len() == 0;
                    if acked && outstanding.unreleased != 0 {
                        self.waited_for_release.add(1, Relaxed);
                    }
                }
                if entry.as_ref().is_some_and(Outstanding::done) {
                    done = entry.take();
                }
            }
            self.fill_window(inflight, &mut out);
            checked
        };
        if let Some(outstanding) = done {
            end(outstanding);
        }
        self.transmit(&out);
        result
    }
}

/// Ends a done request: with an error if any of its frames failed.
fn end(outstanding: Outstanding) {
    let result = if outstanding.failed { Err(EIO) } else { Ok(()) };
    outstanding.request.end(result);
}

impl ReleaseNotify for AoeDevice {
    fn released(&self, cookie: u64, pinned: u32) {
        self.pins.released.add(u64::from(pinned), Relaxed);
        let Ok(index) = usize::try_from(cookie) else {
            return;
        };
        self.settle(index, |outstanding| {
            outstanding.unreleased = outstanding.unreleased.saturating_sub(1);
        });
    }
}

impl QueueRq for AoeDevice {
    fn queue_rq(&self, request: Request) {
        let write = match request.op() {
            Op::Read => false,
            Op::Write => true,
            // No volatile write cache is advertised yet, so no flush comes.
            Op::Flush | Op::Other => return request.end(Err(EOPNOTSUPP)),
        };
        let first_sector = request.sector();
        let sectors = request.bytes() / 512;
        let Ok(unsent) = split::split(first_sector, sectors, self.payload, self.identity.lba48)
        else {
            return request.end(Err(EIO));
        };
        if unsent.len() == 0 {
            return request.end(Ok(()));
        }
        let mut out = KVec::new();
        {
            let mut guard = self.inflight.lock();
            let inflight = &mut *guard;
            let Some(index) = inflight.requests.iter().position(Option::is_none) else {
                drop(guard);
                return request.end(Err(EBUSY));
            };
            if inflight.backlog.push(index, GFP_ATOMIC).is_err() {
                drop(guard);
                return request.end(Err(ENOMEM));
            }
            if let Some(entry) = inflight.requests.get_mut(index) {
                *entry = Some(Outstanding {
                    request,
                    unsent,
                    in_flight: 0,
                    unreleased: 0,
                    write,
                    first_sector,
                    failed: false,
                });
            }
            self.fill_window(inflight, &mut out);
        }
        self.transmit(&out);
    }
}
