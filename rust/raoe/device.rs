// SPDX-License-Identifier: GPL-2.0

//! An AoE block device: one shelf.slot, the target behind it, and the frames of its requests.
//!
//! Requests are split into frames of at most the payload size (aoecmd.c:1588-1594); frames go
//! out while the target's window allows (aoecmd.c:1001-1008), and each ATA reply is checked
//! against the frame it answers before its data is copied into the request.

use crate::{
    blk::{
        Op,
        QueueRq,
        Request, //
    },
    flow::Window,
    identify::Identity,
    net,
    split::{
        self,
        Frames, //
    },
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
        Header,
        SentAta, //
    },
};
use kernel::{
    prelude::*,
    sync::SpinLockIrq, //
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
    /// The local interface's MAC address.
    pub(crate) local_mac: [u8; 6],
}

/// A request being worked on.
struct Outstanding {
    /// The request.
    request: Request,
    /// Its frames not yet sent.
    unsent: Frames,
    /// Its frames sent and not yet answered.
    in_flight: u32,
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
    /// Its first sector.
    lba: u64,
    /// What was asked, to check the reply.
    sent: SentAta,
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
    /// Frames and requests in flight.
    #[pin]
    inflight: SpinLockIrq<Inflight>,
}

impl AoeDevice {
    /// Creates a device for a target that answered IDENTIFY; may run in softirq context.
    pub(crate) fn new(
        shelf: u16,
        slot: u8,
        path: Path,
        identity: Identity,
        payload: u32,
        buffer_count: u16,
        tag_seed: u32,
    ) -> Result<impl PinInit<Self, Error>> {
        let window = Window::new(buffer_count, Window::DEFAULT_CAP);
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
            shelf,
            slot,
            path,
            identity,
            payload,
            inflight <- kernel::new_spinlock_irq!(
                Inflight {
                    tags: TagTable::new(tag_slots, tag_seed),
                    frames,
                    requests,
                    backlog,
                    window,
                },
                "AoeDevice::inflight"
            ),
        }? Error))
    }

    /// Builds the frames the window allows, under the lock; returns them with their lengths
    /// and the requests that ended meanwhile.
    fn fill_window(&self, inflight: &mut Inflight, out: &mut KVec<[u8; wire::ETH_MIN_FRAME_LEN]>) {
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
                command: AtaCommand::Read,
                lba,
                sectors,
                lba48: self.identity.lba48,
            };
            let mut frame = [0u8; wire::ETH_MIN_FRAME_LEN];
            if wire::build_ata_request(&mut frame, &request).is_err()
                || out.push(frame, GFP_ATOMIC).is_err()
            {
                // Unreachable with a valid request; fail the request rather than lose it.
                inflight.tags.release(slot);
                outstanding.failed = true;
                continue;
            }
            outstanding.in_flight += 1;
            if let Some(entry) = inflight.frames.get_mut(slot) {
                *entry = Some(FrameState {
                    request: index,
                    lba,
                    sent: request.sent(),
                });
            }
        }
    }

    /// Sends frames built by [`Self::fill_window`].
    fn transmit(&self, frames: &[[u8; wire::ETH_MIN_FRAME_LEN]]) {
        for frame in frames {
            if let Err(err) = net::transmit_copy(self.path.ifindex, frame) {
                pr_warn!("e{}.{}: frame not sent: {err:?}\n", self.shelf, self.slot);
            }
        }
    }

    /// Takes the ATA reply to one of this device's frames; softirq context.
    pub(crate) fn receive(&self, reply: &AtaReply<'_>) -> Result<(), DropReason> {
        let mut out = KVec::new();
        let mut done = None;
        let result = {
            let mut guard = self.inflight.lock();
            let inflight = &mut *guard;
            let slot = inflight.tags.complete(reply.header.tag)?.slot;
            let frame = inflight
                .frames
                .get_mut(slot)
                .and_then(Option::take)
                .ok_or(DropReason::UnsolicitedTag)?;
            let in_flight = u16::try_from(inflight.tags.in_flight()).unwrap_or(u16::MAX);
            inflight.window.on_ack(in_flight);
            let checked = wire::check_ata_reply(reply, &frame.sent);
            if let Some(Some(outstanding)) = inflight.requests.get_mut(frame.request) {
                outstanding.in_flight = outstanding.in_flight.saturating_sub(1);
                match checked {
                    Ok(()) => {
                        let offset = frame
                            .lba
                            .saturating_sub(outstanding.first_sector)
                            .saturating_mul(512);
                        outstanding
                            .request
                            .copy_in(u32::try_from(offset).unwrap_or(u32::MAX), reply.data);
                    }
                    Err(_) => outstanding.failed = true,
                }
                if outstanding.in_flight == 0 && outstanding.unsent.len() == 0 {
                    done = inflight
                        .requests
                        .get_mut(frame.request)
                        .and_then(Option::take);
                }
            }
            self.fill_window(inflight, &mut out);
            checked
        };
        if let Some(outstanding) = done {
            let failed = outstanding.failed;
            outstanding
                .request
                .end(if failed { Err(EIO) } else { Ok(()) });
        }
        self.transmit(&out);
        result
    }
}

impl QueueRq for AoeDevice {
    fn queue_rq(&self, request: Request) {
        if request.op() != Op::Read {
            // Writes and flushes come with page pinning; the disk is read-only until then.
            return request.end(Err(EROFS));
        }
        let first_sector = request.sector();
        let sectors = request.bytes() / 512;
        let Ok(unsent) = split::split(first_sector, sectors, self.payload, self.identity.lba48)
        else {
            return request.end(Err(EIO));
        };
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
                    first_sector,
                    failed: false,
                });
            }
            self.fill_window(inflight, &mut out);
        }
        self.transmit(&out);
    }
}
