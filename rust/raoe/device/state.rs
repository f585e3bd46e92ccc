// SPDX-License-Identifier: GPL-2.0

//! The device's state shared by the submit, receive and timer paths, and its targets.

use super::requests::Work;
use crate::{
    logic::identify::Identity,
    logic::path_choice::{
        self,
        TargetLoad, //
    },
    logic::requests::{
        RequestTable,
        Tracked, //
    },
    logic::rtt_window::{
        RttEstimator,
        Window, //
    },
    logic::tags::{
        TagSlot,
        TagTable, //
    },
    logic::user_input::until_nul,
    logic::wire::{
        AtaRequest,
        MacHex, //
    },
    messages::Messages,
    sys::pages::PinCounts,
};
use kernel::{
    prelude::*,
    sync::{
        atomic::{
            Atomic,
            Relaxed, //
        },
        Arc,
        SpinLockIrq, //
    },
    time::{
        Instant,
        Monotonic, //
    },
};

/// Requests per hardware queue: the tag set's depth.
pub(crate) const QUEUE_DEPTH: u32 = 128;

/// Hardware queues per disk; every queue shares the device's frames and targets.
pub(crate) const HW_QUEUES: u32 = 2;

/// The most targets (MAC addresses) one device uses.
const MAX_TARGETS: usize = 8;

/// The most local interfaces one target is reached through, as aoe.ko's `NAOEIFS` (aoe.h).
const MAX_INTERFACES: usize = 8;

/// A local interface a target is reached through.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) struct LocalInterface {
    /// The interface index.
    pub(crate) ifindex: i32,
    /// The interface name, NUL-padded.
    pub(crate) name: [u8; 16],
    /// The interface's MAC address.
    pub(crate) mac: [u8; 6],
}

/// What a device is made from: its address and what its first target told.
pub(crate) struct DeviceParams {
    /// The shelf (major) number.
    pub(crate) shelf: u16,
    /// The slot (minor) number.
    pub(crate) slot: u8,
    /// The target's IDENTIFY data.
    pub(crate) identity: Identity,
    /// Data bytes per frame.
    pub(crate) payload: u32,
    /// The target's firmware version.
    pub(crate) firmware_version: u16,
    /// Where `/dev/etherd/err` messages go.
    pub(crate) messages: Arc<Messages>,
}

/// One MAC address answering for the device, and how it is reached.
pub(super) struct Target {
    /// The target's MAC address.
    pub(super) mac: [u8; 6],
    /// The local interfaces it answered on, used in turn.
    pub(super) interfaces: KVec<LocalInterface>,
    /// The interface the next frame goes through.
    next_interface: usize,
    /// Its window, frames in flight and silence.
    pub(super) load: TargetLoad,
}

impl AsRef<TargetLoad> for Target {
    fn as_ref(&self) -> &TargetLoad {
        &self.load
    }
}

impl Target {
    /// The interface the next frame goes through.
    pub(super) fn take_interface(&mut self) -> Option<LocalInterface> {
        let count = self.interfaces.len().max(1);
        let interface = self.interfaces.get(self.next_interface % count).copied();
        self.next_interface = self.next_interface.wrapping_add(1);
        interface
    }
}

/// A frame in flight.
#[derive(Clone, Copy)]
pub(super) struct FrameState {
    /// The index of its request in [`Inflight::requests`].
    pub(super) request: usize,
    /// The index of the target of its last transmission in [`Inflight::targets`].
    pub(super) target: usize,
    /// The interface of its last transmission.
    pub(super) ifindex: i32,
    /// The request as last sent; its tag is the frame's current tag.
    pub(super) ata: AtaRequest,
    /// When it was last sent, for the RTT and the retransmission timeout.
    pub(super) sent_at: Instant<Monotonic>,
    /// When it was first sent, for `aoe_deadsecs`.
    pub(super) first_sent: Instant<Monotonic>,
}

/// The requests a device works on.
pub(super) type Requests = RequestTable<Work, KVec<Option<Tracked<Work>>>>;

/// The device's state shared by the submit, receive and timer paths.
pub(super) struct Inflight {
    /// Whether the device is up: down after `aoe_deadsecs`, up again after an IDENTIFY.
    pub(super) up: bool,
    /// The target's IDENTIFY data, renewed by a revalidation.
    pub(super) identity: Identity,
    /// The targets answering for the device.
    pub(super) targets: KVec<Target>,
    /// The target the next frame is offered to first.
    next_target: usize,
    /// The tags of the frames in flight; one slot per frame the targets' windows can hold.
    pub(super) tags: TagTable<KVec<TagSlot>>,
    /// The frame behind each tag slot.
    pub(super) frames: KVec<Option<FrameState>>,
    /// Requests being worked on.
    pub(super) requests: Requests,
    /// Indices of requests with frames not yet sent, oldest first.
    pub(super) backlog: KVec<usize>,
    /// The round-trip time to the device.
    pub(super) rtt: RttEstimator,
}

impl Inflight {
    /// The target for a new frame (see `logic::path_choice`), after which the next search
    /// starts.
    pub(super) fn pick_target(&mut self) -> Option<usize> {
        let index = path_choice::pick_for_new_frame(&self.targets, self.next_target)?;
        self.next_target = (index + 1) % self.targets.len();
        Some(index)
    }

    /// Forgets the frame in `slot`: its tag, its target's count and its request's count.
    pub(super) fn drop_frame(&mut self, slot: usize) {
        let Some(frame) = self.frames.get_mut(slot).and_then(Option::take) else {
            return;
        };
        self.tags.release(slot);
        if let Some(target) = self.targets.get_mut(frame.target) {
            target.load.forgotten();
        }
        self.requests.frame_ended(frame.request, false);
    }
}

/// Event counts shown in debugfs; those of requests are kept by [`Inflight::requests`].
pub(super) struct Counters {
    /// Frames sent again after their timeout.
    pub(super) retransmits: Atomic<u64>,
    /// Replies to this device's frames dropped as malformed, forged or unexpected.
    pub(super) drops: Atomic<u64>,
    /// Replies reporting an ATA error.
    pub(super) ata_errors: Atomic<u64>,
    /// Cache flushes the target acknowledged.
    pub(super) flushes: Atomic<u64>,
    /// Times the device went down.
    pub(super) downs: Atomic<u64>,
    /// Transmissions the stack refused.
    pub(super) send_failures: Atomic<u64>,
    /// Zero-copy transmissions the stack still holds; each calls back into the module.
    pub(super) transmissions_held: Atomic<u64>,
}

impl Counters {
    /// All zero.
    const fn new() -> Self {
        Counters {
            retransmits: Atomic::new(0),
            drops: Atomic::new(0),
            ata_errors: Atomic::new(0),
            flushes: Atomic::new(0),
            downs: Atomic::new(0),
            send_failures: Atomic::new(0),
            transmissions_held: Atomic::new(0),
        }
    }
}

/// One AoE device.
#[pin_data]
pub(crate) struct AoeDevice {
    /// The shelf (major) number.
    pub(crate) shelf: u16,
    /// The slot (minor) number.
    pub(crate) slot: u8,
    /// Data bytes per frame.
    pub(crate) payload: u32,
    /// The target's firmware version.
    pub(super) firmware_version: u16,
    /// Where `/dev/etherd/err` messages go.
    pub(super) messages: Arc<Messages>,
    /// The origin of the request table's times.
    epoch: Instant<Monotonic>,
    /// Frames, requests and targets.
    #[pin]
    pub(super) inflight: SpinLockIrq<Inflight>,
    /// Page pins of write frames.
    pub(crate) pins: PinCounts,
    /// Event counts.
    pub(super) counters: Counters,
}

impl AoeDevice {
    /// Creates a device for a target that answered IDENTIFY; may run in softirq context. Its
    /// targets are added with [`AoeDevice::add_path`].
    pub(crate) fn new(params: DeviceParams, tag_seed: u32) -> Result<impl PinInit<Self, Error>> {
        let slots = MAX_TARGETS * usize::from(Window::DEFAULT_CAP);
        let mut tag_slots = KVec::with_capacity(slots, GFP_ATOMIC)?;
        let mut frames = KVec::with_capacity(slots, GFP_ATOMIC)?;
        for _ in 0..slots {
            tag_slots.push(TagSlot::EMPTY, GFP_ATOMIC)?;
            frames.push(None, GFP_ATOMIC)?;
        }
        let depth = usize::try_from(QUEUE_DEPTH * HW_QUEUES).map_err(|_| EINVAL)?;
        let mut requests = KVec::with_capacity(depth, GFP_ATOMIC)?;
        for _ in 0..depth {
            requests.push(None, GFP_ATOMIC)?;
        }
        let backlog = KVec::with_capacity(depth, GFP_ATOMIC)?;
        let targets = KVec::with_capacity(MAX_TARGETS, GFP_ATOMIC)?;
        Ok(try_pin_init!(Self {
            shelf: params.shelf,
            slot: params.slot,
            payload: params.payload,
            firmware_version: params.firmware_version,
            messages: params.messages,
            epoch: Instant::now(),
            inflight <- kernel::new_spinlock_irq!(
                Inflight {
                    up: true,
                    identity: params.identity,
                    targets,
                    next_target: 0,
                    tags: TagTable::new(tag_slots, tag_seed),
                    frames,
                    requests: RequestTable::new(requests),
                    backlog,
                    rtt: RttEstimator::new(),
                },
                "AoeDevice::inflight"
            ),
            pins: PinCounts::new(),
            counters: Counters::new(),
        }? Error))
    }

    /// Adds a path to the device: target `mac` reached through `interface`, which offers
    /// `payload` bytes per frame. A target seen again answers again.
    pub(crate) fn add_path(
        &self,
        mac: [u8; 6],
        interface: LocalInterface,
        buffer_count: u16,
        payload: u32,
    ) -> Result {
        if payload < self.payload {
            pr_warn!(
                "e{}.{}: target {} on {} ignored: its payload {payload} is below the device's {}\n",
                self.shelf,
                self.slot,
                // `pr_*` takes the kernel's `Display`, which `Arguments` has.
                format_args!("{}", MacHex(mac)),
                kernel::str::BStr::from_bytes(until_nul(&interface.name)),
                self.payload
            );
            return Err(EINVAL);
        }
        let mut inflight = self.inflight.lock();
        if let Some(target) = inflight.targets.iter_mut().find(|t| t.mac == mac) {
            target.load.heard();
            target
                .load
                .window
                .set_buffer_count(buffer_count, Window::DEFAULT_CAP);
            if target.interfaces.contains(&interface) {
                return Ok(());
            }
            if target.interfaces.len() >= MAX_INTERFACES {
                return Err(ENOSPC);
            }
            return Ok(target.interfaces.push(interface, GFP_ATOMIC)?);
        }
        if inflight.targets.len() >= MAX_TARGETS {
            return Err(ENOSPC);
        }
        let mut interfaces = KVec::with_capacity(MAX_INTERFACES, GFP_ATOMIC)?;
        interfaces.push(interface, GFP_ATOMIC)?;
        let target = Target {
            mac,
            interfaces,
            next_interface: 0,
            load: TargetLoad::new(Window::new(buffer_count, Window::DEFAULT_CAP)),
        };
        inflight.targets.push(target, GFP_ATOMIC)?;
        Ok(())
    }

    /// Takes a new IDENTIFY: the device is up again with its windows and RTT restarted, as
    /// after aoe.ko's revalidation (aoecmd.c:1612-1617). Returns the capacity.
    pub(crate) fn identified(&self, identity: Identity) -> u64 {
        let sectors = identity.sectors;
        let mut inflight = self.inflight.lock();
        inflight.identity = identity;
        inflight.up = true;
        inflight.rtt = RttEstimator::new();
        for target in inflight.targets.iter_mut() {
            target.load.window.reset();
            target.load.heard();
        }
        sectors
    }

    /// Zero-copy transmissions the network stack still holds.
    pub(crate) fn transmissions_held(&self) -> u64 {
        self.counters.transmissions_held.load(Relaxed)
    }

    /// The capacity in sectors.
    pub(crate) fn capacity(&self) -> u64 {
        self.inflight.lock().identity.sectors
    }

    /// Whether the device is up.
    pub(crate) fn up(&self) -> bool {
        self.inflight.lock().up
    }

    /// The time for the request table: µs since the device was made.
    pub(super) fn now_us(&self) -> u64 {
        u64::try_from(self.epoch.elapsed().as_micros_ceil()).unwrap_or(0)
    }
}
