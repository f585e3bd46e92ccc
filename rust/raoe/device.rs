// SPDX-License-Identifier: GPL-2.0

//! An AoE block device: one shelf.slot, the targets behind it, and the frames of its requests.
//!
//! Requests are split into frames of at most the payload size (aoecmd.c:1588-1594); frames go
//! out while a target's window allows (aoecmd.c:1001-1008), and each ATA reply is checked
//! against the frame it answers before it may complete it or give it data.
//!
//! A device may reach its shelf.slot through several targets (MAC addresses), each through
//! several local interfaces; [`paths`] chooses each frame's target, and a frame that times out
//! is resent with a new tag to another target.
//!
//! Write frames carry the request's pages themselves, pinned, and a request ends only when
//! every frame is answered *and* the network stack has released every transmission's pages:
//! a frame still queued somewhere must not carry data written into the pages after the
//! request completed. aoe.ko completes on the acknowledgement alone (aoecmd.c:1065-1076). If
//! the stack holds pages longer than `aoe_deadsecs` after the last answer, the request fails.
//!
//! A frame unanswered for `aoe_deadsecs` takes the device down, as in aoe.ko
//! (aoecmd.c:760-776): every request fails and new ones fail at once until a revalidation.

use crate::{
    logic::identify::{
        Identity,
        IDENTIFY_LEN, //
    },
    logic::path_choice::{
        self,
        TargetLoad, //
    },
    logic::rtt_window::{
        RttEstimator,
        Window, //
    },
    logic::split::{
        self,
        Frames, //
    },
    logic::tags::{
        TagSlot,
        TagTable, //
    },
    logic::user_input::{
        until_nul,
        NameList, //
    },
    logic::wire::{
        self,
        AtaCommand,
        AtaReply,
        AtaRequest,
        DropReason,
        Header,
        MacHex, //
    },
    messages::Messages,
    sys::blk::{
        DiskOps,
        Op,
        Request, //
    },
    sys::net::{
        self,
        ReleaseNotify, //
    },
    sys::pages::{
        PinCounts,
        PinnedFrags, //
    },
    sysfs::DiskInfo,
};
use core::fmt::Write;
use kernel::{
    block::SECTOR_SIZE,
    fmt,
    prelude::*,
    sync::{
        atomic::{
            Atomic,
            Relaxed, //
        },
        Arc,
        ArcBorrow,
        SpinLockIrq, //
    },
    time::{
        Delta,
        Instant,
        Monotonic, //
    },
};

// A frame's sectors are the request's: the AoE wire sector is the kernel's.
const _: () = assert!(wire::SECTOR_SIZE == SECTOR_SIZE as usize);

/// Requests per hardware queue: the tag set's depth.
pub(crate) const QUEUE_DEPTH: u32 = 128;

/// Hardware queues per disk; every queue shares the device's frames and targets.
pub(crate) const HW_QUEUES: u32 = 2;

/// The most targets (MAC addresses) one device uses.
pub(crate) const MAX_TARGETS: usize = 8;

/// The most local interfaces one target is reached through, as aoe.ko's `NAOEIFS` (aoe.h).
pub(crate) const MAX_INTERFACES: usize = 8;

/// Frames built under the lock and sent after it, per round.
const SEND_BATCH: usize = 16;

/// The low bits of a transmission's cookie: the index of its request.
const COOKIE_INDEX_BITS: u32 = 16;

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
struct Target {
    /// The target's MAC address.
    mac: [u8; 6],
    /// The local interfaces it answered on, used in turn.
    interfaces: KVec<LocalInterface>,
    /// The interface the next frame goes through.
    next_interface: usize,
    /// Its window, frames in flight and silence.
    load: TargetLoad,
}

impl AsRef<TargetLoad> for Target {
    fn as_ref(&self) -> &TargetLoad {
        &self.load
    }
}

impl Target {
    /// The interface the next frame goes through.
    fn take_interface(&mut self) -> Option<LocalInterface> {
        let count = self.interfaces.len().max(1);
        let interface = self.interfaces.get(self.next_interface % count).copied();
        self.next_interface = self.next_interface.wrapping_add(1);
        interface
    }
}

/// A request being worked on.
struct Outstanding {
    /// The request.
    request: Request,
    /// The request's index and a device-wide sequence, naming it in release notifications so
    /// that a late release cannot touch a later request in the same entry.
    cookie: u64,
    /// Read, write or flush.
    command: AtaCommand,
    /// Its frames not yet sent.
    unsent: Frames,
    /// Its frames sent and not yet answered.
    in_flight: u32,
    /// Its write transmissions the network stack still holds.
    unreleased: u32,
    /// The request's first sector, to place each frame's data.
    first_sector: u64,
    /// Whether a frame failed.
    failed: bool,
    /// When every frame had been answered while transmissions were still held.
    answered_at: Option<Instant<Monotonic>>,
}

impl Outstanding {
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

/// A frame in flight.
#[derive(Clone, Copy)]
struct FrameState {
    /// The index of its request in [`Inflight::requests`].
    request: usize,
    /// The index of the target of its last transmission in [`Inflight::targets`].
    target: usize,
    /// The interface of its last transmission.
    ifindex: i32,
    /// The request as last sent; its tag is the frame's current tag.
    ata: AtaRequest,
    /// When it was last sent, for the RTT and the retransmission timeout.
    sent_at: Instant<Monotonic>,
    /// When it was first sent, for `aoe_deadsecs`.
    first_sent: Instant<Monotonic>,
}

/// The device's state shared by the submit, receive and timer paths.
struct Inflight {
    /// Whether the device is up: down after `aoe_deadsecs`, up again after an IDENTIFY.
    up: bool,
    /// The target's IDENTIFY data, renewed by a revalidation.
    identity: Identity,
    /// The targets answering for the device.
    targets: KVec<Target>,
    /// The target the next frame is offered to first.
    next_target: usize,
    /// The tags of the frames in flight; one slot per frame the targets' windows can hold.
    tags: TagTable<KVec<TagSlot>>,
    /// The frame behind each tag slot.
    frames: KVec<Option<FrameState>>,
    /// Requests being worked on; `None` marks a free entry.
    requests: KVec<Option<Outstanding>>,
    /// Indices of requests with frames not yet sent, oldest first.
    backlog: KVec<usize>,
    /// The round-trip time to the device.
    rtt: RttEstimator,
    /// The sequence part of the next request's cookie.
    next_sequence: u64,
}

/// Event counts shown in debugfs.
struct Counters {
    /// Frames sent again after their timeout.
    retransmits: Atomic<u64>,
    /// Requests whose frames were all answered before the stack released their pages.
    waited_for_release: Atomic<u64>,
    /// Transmissions released after every frame of their request was answered.
    late_releases: Atomic<u64>,
    /// The longest time a request waited for a release after its last answer, in µs.
    longest_release_wait_us: Atomic<u64>,
    /// Requests failed because the stack held their pages longer than `aoe_deadsecs`.
    release_timeouts: Atomic<u64>,
    /// Replies to this device's frames dropped as malformed, forged or unexpected.
    drops: Atomic<u64>,
    /// Replies reporting an ATA error.
    ata_errors: Atomic<u64>,
    /// Cache flushes the target acknowledged.
    flushes: Atomic<u64>,
    /// Times the device went down.
    downs: Atomic<u64>,
    /// Transmissions the stack refused.
    send_failures: Atomic<u64>,
    /// Zero-copy transmissions the stack still holds; each calls back into the module.
    transmissions_held: Atomic<u64>,
}

impl Counters {
    /// All zero.
    const fn new() -> Self {
        Counters {
            retransmits: Atomic::new(0),
            waited_for_release: Atomic::new(0),
            late_releases: Atomic::new(0),
            longest_release_wait_us: Atomic::new(0),
            release_timeouts: Atomic::new(0),
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
    firmware_version: u16,
    /// Where `/dev/etherd/err` messages go.
    messages: Arc<Messages>,
    /// Frames, requests and targets.
    #[pin]
    inflight: SpinLockIrq<Inflight>,
    /// Page pins of write frames.
    pub(crate) pins: PinCounts,
    /// Event counts.
    counters: Counters,
}

/// A frame built under the lock, to send after it.
struct Outgoing {
    /// The frame (header, zero-padded to the Ethernet minimum for reads).
    frame: [u8; wire::ETH_MIN_FRAME_LEN],
    /// The header length of a write; its data follows as `frags`.
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
struct Round {
    /// Frames to send.
    out: KVec<Outgoing>,
    /// Requests that are done.
    ended: KVec<Outstanding>,
}

impl Round {
    /// Nothing yet.
    fn new() -> Self {
        Round {
            out: KVec::new(),
            ended: KVec::new(),
        }
    }
}

impl Inflight {
    /// Moves request `index` into `ended` if it is done. If `ended` cannot grow, the request
    /// stays for the next tick's sweep rather than end under the lock. A request answered
    /// while the stack still holds transmissions starts waiting for their release here.
    fn take_if_done(&mut self, index: usize, ended: &mut KVec<Outstanding>, counters: &Counters) {
        let Some(entry) = self.requests.get_mut(index) else {
            return;
        };
        if let Some(outstanding) = entry.as_mut() {
            if outstanding.answered()
                && outstanding.unreleased != 0
                && outstanding.answered_at.is_none()
            {
                counters.waited_for_release.add(1, Relaxed);
                outstanding.answered_at = Some(Instant::now());
            }
        }
        if !entry.as_ref().is_some_and(Outstanding::done) || ended.reserve(1, GFP_ATOMIC).is_err() {
            return;
        }
        if let Some(done) = entry.take() {
            // Cannot fail: room was reserved above.
            ended.push_within_capacity(done).ok();
        }
    }

    /// Finds the request a release notification's cookie names.
    fn request_of(&mut self, cookie: u64) -> Option<(usize, &mut Outstanding)> {
        let index = usize::try_from(cookie & ((1 << COOKIE_INDEX_BITS) - 1)).ok()?;
        let outstanding = self.requests.get_mut(index)?.as_mut()?;
        (outstanding.cookie == cookie).then_some((index, outstanding))
    }

    /// The target for a new frame (see [`paths`]), after which the next search starts.
    fn pick_target(&mut self) -> Option<usize> {
        let index = path_choice::pick_for_new_frame(&self.targets, self.next_target)?;
        self.next_target = (index + 1) % self.targets.len();
        Some(index)
    }

    /// Forgets the frame in `slot`: its tag, its target's count and its request's count.
    fn drop_frame(&mut self, slot: usize) -> Option<FrameState> {
        let frame = self.frames.get_mut(slot)?.take()?;
        self.tags.release(slot);
        if let Some(target) = self.targets.get_mut(frame.target) {
            target.load.forgotten();
        }
        if let Some(Some(outstanding)) = self.requests.get_mut(frame.request) {
            outstanding.in_flight = outstanding.in_flight.saturating_sub(1);
        }
        Some(frame)
    }
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
            inflight <- kernel::new_spinlock_irq!(
                Inflight {
                    up: true,
                    identity: params.identity,
                    targets,
                    next_target: 0,
                    tags: TagTable::new(tag_slots, tag_seed),
                    frames,
                    requests,
                    backlog,
                    rtt: RttEstimator::new(),
                    next_sequence: 0,
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

    /// What the disk's sysfs attributes show.
    pub(crate) fn fill_info(&self, info: &mut DiskInfo) {
        let inflight = self.inflight.lock();
        info.up = inflight.up;
        if let Some(target) = inflight.targets.first() {
            info.mac = target.mac;
        }
        // The unique interfaces in use, comma-separated, as aoe.ko's `netif` (aoeblk.c:70-91).
        let mut netif = NameList::new(&mut info.netif);
        for target in inflight.targets.iter() {
            for interface in target.interfaces.iter() {
                netif.add(until_nul(&interface.name));
            }
        }
        info.firmware_version = self.firmware_version;
        info.payload = self.payload;
    }

    /// Writes the debugfs `stats` of the device: one `name value` per line, then one line per
    /// target.
    pub(crate) fn write_stats(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let counters = &self.counters;
        let (up, rtt, in_flight, requests) = {
            let inflight = self.inflight.lock();
            let requests = inflight.requests.iter().flatten().count();
            (
                inflight.up,
                inflight.rtt,
                inflight.tags.in_flight(),
                requests,
            )
        };
        writeln!(f, "state {}", if up { "up" } else { "down" })?;
        writeln!(f, "rtt_avg_us {}", rtt.average_us())?;
        writeln!(f, "rtt_dev_us {}", rtt.deviation_us())?;
        writeln!(f, "rto_us {}", rtt.rto_us())?;
        writeln!(f, "frames_in_flight {in_flight}")?;
        writeln!(f, "requests {requests}")?;
        for (name, value) in [
            ("retransmits", &counters.retransmits),
            ("drops", &counters.drops),
            ("ata_errors", &counters.ata_errors),
            ("flushes", &counters.flushes),
            ("downs", &counters.downs),
            ("send_failures", &counters.send_failures),
            ("pins_taken", &self.pins.taken),
            ("pins_released", &self.pins.released),
            ("pages_copied", &self.pins.copied),
            ("waited_for_release", &counters.waited_for_release),
            ("late_releases", &counters.late_releases),
            ("longest_release_wait_us", &counters.longest_release_wait_us),
            ("release_timeouts", &counters.release_timeouts),
        ] {
            writeln!(f, "{name} {}", value.load(Relaxed))?;
        }
        let inflight = self.inflight.lock();
        for target in inflight.targets.iter() {
            write!(
                f,
                "target {} in_flight {} window {} cap {} ssthresh {} silent_timeouts {} interfaces",
                MacHex(target.mac),
                target.load.in_flight,
                target.load.window.max_outstanding(),
                target.load.window.frames(),
                target.load.window.slow_start_threshold(),
                target.load.silent_timeouts
            )?;
            for interface in target.interfaces.iter() {
                let name = core::str::from_utf8(until_nul(&interface.name)).unwrap_or("?");
                write!(f, " {name}")?;
            }
            writeln!(f)?;
        }
        Ok(())
    }

    /// A one-line summary of the page pins and what they waited for, for the unload log.
    pub(crate) fn pin_summary(&self, f: &mut impl Write) -> fmt::Result {
        write!(
            f,
            "pins taken {}, released {}, pages copied {}, requests that waited for a release {}, late releases {}, retransmits {}",
            self.pins.taken.load(Relaxed),
            self.pins.released.load(Relaxed),
            self.pins.copied.load(Relaxed),
            self.counters.waited_for_release.load(Relaxed),
            self.counters.late_releases.load(Relaxed),
            self.counters.retransmits.load(Relaxed)
        )
    }

    /// Builds the frames the windows allow into `round`, under the lock.
    fn fill_window(&self, inflight: &mut Inflight, round: &mut Round) {
        while round.out.len() < SEND_BATCH {
            let Some(&index) = inflight.backlog.first() else {
                return;
            };
            let next = match inflight.requests.get_mut(index) {
                Some(Some(outstanding)) => outstanding.unsent.clone().next(),
                _ => None,
            };
            let Some((lba, sectors)) = next else {
                inflight.backlog.remove(0).ok();
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
            let (Some(Some(outstanding)), Some(target)) = (
                inflight.requests.get_mut(index),
                inflight.targets.get_mut(target_index),
            ) else {
                inflight.tags.release(slot);
                return;
            };
            outstanding.unsent.next();
            let built = target.take_interface().ok_or(ENODEV).and_then(|interface| {
                let ata = AtaRequest {
                    header: Header {
                        dst: target.mac,
                        src: interface.mac,
                        shelf: self.shelf,
                        slot: self.slot,
                        tag,
                    },
                    command: outstanding.command,
                    lba,
                    sectors,
                    lba48: if outstanding.command == AtaCommand::Flush {
                        flush_ext
                    } else {
                        lba48
                    },
                };
                let next = self.outgoing(outstanding, &ata, interface.ifindex)?;
                round.out.push(next, GFP_ATOMIC)?;
                Ok((ata, interface.ifindex))
            });
            let Ok((ata, ifindex)) = built else {
                // The frame cannot go out: fail the request once its other frames are done.
                inflight.tags.release(slot);
                outstanding.fail();
                inflight.take_if_done(index, &mut round.ended, &self.counters);
                continue;
            };
            target.load.sent();
            outstanding.in_flight += 1;
            if outstanding.command == AtaCommand::Write {
                outstanding.unreleased += 1;
            }
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

    /// Builds the frame of `ata` for `outstanding`: a write carries the request's pages.
    fn outgoing(
        &self,
        outstanding: &Outstanding,
        ata: &AtaRequest,
        ifindex: i32,
    ) -> Result<Outgoing> {
        let mut next = Outgoing {
            frame: [0; wire::ETH_MIN_FRAME_LEN],
            header_len: 0,
            data: None,
            ifindex,
            cookie: outstanding.cookie,
        };
        next.header_len = wire::build_ata_request(&mut next.frame, ata).map_err(|_| EINVAL)?;
        if outstanding.command == AtaCommand::Write {
            let (offset, len) = data_range(outstanding, ata)?;
            next.data = Some(outstanding.request.pin_frags(offset, len)?);
        }
        Ok(next)
    }

    /// Takes the device down: every frame in flight is forgotten and every request fails,
    /// each ending once the stack has released its pages.
    fn go_down(&self, inflight: &mut Inflight, ended: &mut KVec<Outstanding>) {
        if inflight.up {
            inflight.up = false;
            self.counters.downs.add(1, Relaxed);
            pr_err!(
                "e{}.{}: a frame went unanswered for aoe_deadsecs: device down until revalidated\n",
                self.shelf,
                self.slot
            );
            self.messages.post(format_args!(
                "e{}.{}: device down: frames unanswered for aoe_deadsecs\n",
                self.shelf, self.slot
            ));
        }
        for slot in 0..inflight.frames.len() {
            inflight.drop_frame(slot);
        }
        inflight.backlog.clear();
        for index in 0..inflight.requests.len() {
            if let Some(Some(outstanding)) = inflight.requests.get_mut(index) {
                outstanding.fail();
            }
            inflight.take_if_done(index, ended, &self.counters);
        }
    }

    /// Resends the frames whose timeout passed, with new tags and to another target when there
    /// is one; takes the device down when a frame waited longer than `dead` (aoecmd.c:733-831);
    /// fails requests whose pages the stack held longer than `dead` after their last answer.
    /// Runs every 100 ms in process context.
    pub(crate) fn tick(this: &Arc<Self>, dead: Delta) {
        let mut round = Round::new();
        {
            let mut guard = this.inflight.lock();
            let inflight = &mut *guard;
            let rto_us = i64::from(inflight.rtt.rto_us());
            let mut dead_frame = false;
            for slot in 0..inflight.frames.len() {
                let Some(Some(frame)) = inflight.frames.get(slot).copied() else {
                    continue;
                };
                if frame.sent_at.elapsed().as_micros_ceil() < rto_us {
                    continue;
                }
                if frame.first_sent.elapsed() > dead {
                    dead_frame = true;
                    break;
                }
                this.retransmit(inflight, slot, frame, &mut round);
            }
            if dead_frame {
                this.go_down(inflight, &mut round.ended);
            }
            this.expire_releases(inflight, dead, &mut round.ended);
            this.fill_window(inflight, &mut round);
        }
        this.finish(round);
    }

    /// Resends the timed-out frame in `slot` with a new tag.
    fn retransmit(
        &self,
        inflight: &mut Inflight,
        slot: usize,
        frame: FrameState,
        round: &mut Round,
    ) {
        // The new tag first: the frame's count moves from its old target to its new one only
        // when it is really resent.
        let Some(tag) = inflight.tags.retransmit(slot) else {
            return;
        };
        if let Some(target) = inflight.targets.get_mut(frame.target) {
            target.load.timed_out();
        }
        let target_index = path_choice::pick_for_retransmit(&inflight.targets, frame.target);
        let (Some(Some(outstanding)), Some(target)) = (
            inflight.requests.get_mut(frame.request),
            inflight.targets.get_mut(target_index),
        ) else {
            return;
        };
        target.load.sent();
        let interface = target.take_interface();
        let mut ata = frame.ata;
        ata.header.tag = tag;
        ata.header.dst = target.mac;
        let ifindex = interface.map_or(frame.ifindex, |interface| {
            ata.header.src = interface.mac;
            interface.ifindex
        });
        self.messages.post(format_args!(
            "retransmit e{}.{} oldtag={:08x} newtag={:08x} s={} d={}\n",
            self.shelf,
            self.slot,
            frame.ata.header.tag,
            tag,
            MacHex(ata.header.src),
            MacHex(ata.header.dst)
        ));
        let sent = self
            .outgoing(outstanding, &ata, ifindex)
            .and_then(|next| Ok(round.out.push(next, GFP_ATOMIC)?));
        // A resend that cannot be built is retried at the next timeout.
        if sent.is_ok() {
            self.counters.retransmits.add(1, Relaxed);
            if outstanding.command == AtaCommand::Write {
                outstanding.unreleased += 1;
            }
        }
        if let Some(Some(entry)) = inflight.frames.get_mut(slot) {
            entry.ata = ata;
            entry.target = target_index;
            entry.ifindex = ifindex;
            entry.sent_at = Instant::now();
        }
    }

    /// Fails the answered requests whose pages the stack has held longer than `dead`, and
    /// collects done requests a full `ended` left behind.
    fn expire_releases(&self, inflight: &mut Inflight, dead: Delta, ended: &mut KVec<Outstanding>) {
        for index in 0..inflight.requests.len() {
            if let Some(Some(outstanding)) = inflight.requests.get_mut(index) {
                if outstanding
                    .answered_at
                    .is_some_and(|answered| answered.elapsed() > dead)
                {
                    pr_err!(
                        "e{}.{}: the network stack held a request's pages for over aoe_deadsecs; failing it\n",
                        self.shelf,
                        self.slot
                    );
                    self.counters.release_timeouts.add(1, Relaxed);
                    // Its transmissions are forgotten: their releases find no request.
                    outstanding.unreleased = 0;
                    outstanding.failed = true;
                }
            }
            inflight.take_if_done(index, ended, &self.counters);
        }
    }

    /// Ends the requests of `round` and sends its frames, after the lock.
    fn finish(self: &Arc<Self>, round: Round) {
        for outstanding in round.ended {
            end(outstanding);
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
                    // Counted before the call: the release may come before it returns.
                    self.counters.transmissions_held.add(1, Relaxed);
                    net::transmit_frags(outgoing.ifindex, header, data, self, outgoing.cookie)
                        .inspect_err(|_| {
                            self.counters.transmissions_held.fetch_sub(1, Relaxed);
                        })
                        .inspect(|()| {
                            self.pins.taken.add(u64::from(pinned), Relaxed);
                            self.pins.copied.add(u64::from(copied), Relaxed);
                        })
                }
            };
            if let Err(err) = sent {
                // Lost like a dropped frame: the retransmission timeout resends it. Logged at
                // the 1st, 2nd, 4th, 8th... failure.
                let failures = self.counters.send_failures.fetch_add(1, Relaxed) + 1;
                if failures.is_power_of_two() {
                    pr_warn!(
                        "e{}.{}: frame not sent ({failures} so far): {err:?}\n",
                        self.shelf,
                        self.slot
                    );
                }
                if carries_pages {
                    // No release will come for this transmission.
                    self.settle(outgoing.cookie, |outstanding| {
                        outstanding.unreleased = outstanding.unreleased.saturating_sub(1);
                    });
                }
            }
        }
    }

    /// Updates the request `cookie` names under the lock, and ends it if that made it done.
    fn settle(self: &Arc<Self>, cookie: u64, update: impl FnOnce(&mut Outstanding)) {
        let mut round = Round::new();
        {
            let mut guard = self.inflight.lock();
            let inflight = &mut *guard;
            let Some((index, outstanding)) = inflight.request_of(cookie) else {
                return;
            };
            update(outstanding);
            inflight.take_if_done(index, &mut round.ended, &self.counters);
        }
        self.finish(round);
    }

    /// Takes the ATA reply to one of this device's frames; softirq context.
    ///
    /// The reply must come from one of the device's targets and pass the checks of the frame
    /// its tag names before it completes that frame: a forged or malformed reply is dropped
    /// and leaves the frame to its real reply.
    pub(crate) fn receive(self: &Arc<Self>, reply: &AtaReply<'_>) -> Result<(), DropReason> {
        let result = self.take_reply(reply);
        if result.is_err() {
            self.counters.drops.add(1, Relaxed);
        }
        result
    }

    /// [`AoeDevice::receive`], without the counting.
    fn take_reply(self: &Arc<Self>, reply: &AtaReply<'_>) -> Result<(), DropReason> {
        let mut round = Round::new();
        {
            let mut guard = self.inflight.lock();
            let inflight = &mut *guard;
            let matched = inflight.tags.find(reply.header.tag)?;
            let frame = inflight
                .frames
                .get(matched.slot)
                .copied()
                .flatten()
                .ok_or(DropReason::UnsolicitedTag)?;
            let Some(target_index) = inflight
                .targets
                .iter()
                .position(|target| target.mac == reply.header.src)
            else {
                return Err(DropReason::UnsolicitedTag);
            };
            let checked = wire::check_ata_reply(reply, &frame.ata.sent());
            if matches!(checked, Err(reason) if reason != DropReason::AtaError) {
                return checked;
            }
            inflight.tags.complete(reply.header.tag)?;
            if let Some(entry) = inflight.frames.get_mut(matched.slot) {
                *entry = None;
            }
            if let Some(target) = inflight.targets.get_mut(frame.target) {
                target.load.acked();
            }
            if let Some(target) = inflight.targets.get_mut(target_index) {
                target.load.heard();
            }
            // A late reply to the previous tag says nothing about the current round trip.
            if !matched.previous {
                let rtt_us = frame.sent_at.elapsed().as_micros_ceil();
                inflight
                    .rtt
                    .sample(u32::try_from(rtt_us).unwrap_or(u32::MAX));
            }
            if let Some(Some(outstanding)) = inflight.requests.get_mut(frame.request) {
                outstanding.in_flight = outstanding.in_flight.saturating_sub(1);
                let copied = match checked {
                    Ok(()) if outstanding.command == AtaCommand::Read => {
                        data_range(outstanding, &frame.ata)
                            .and_then(|(offset, _)| outstanding.request.copy_in(offset, reply.data))
                    }
                    Ok(()) => {
                        if outstanding.command == AtaCommand::Flush {
                            self.counters.flushes.add(1, Relaxed);
                        }
                        Ok(())
                    }
                    Err(_) => Err(EIO),
                };
                if copied.is_err() {
                    outstanding.fail();
                }
            }
            inflight.take_if_done(frame.request, &mut round.ended, &self.counters);
            self.fill_window(inflight, &mut round);
        }
        if reply.status & wire::ATA_STATUS_FAILED != 0 {
            self.counters.ata_errors.add(1, Relaxed);
            self.messages.post(format_args!(
                "e{}.{}: ATA error: status {:#04x}, error {:#04x}, sector {}\n",
                self.shelf, self.slot, reply.status, reply.error, reply.lba
            ));
        }
        self.finish(round);
        Ok(())
    }
}

/// The byte range of a request that the frame `ata` carries.
fn data_range(outstanding: &Outstanding, ata: &AtaRequest) -> Result<(u32, u32)> {
    let offset = ata
        .lba
        .checked_sub(outstanding.first_sector)
        .and_then(|sectors| sectors.checked_mul(u64::from(SECTOR_SIZE)))
        .ok_or(EINVAL)?;
    let offset = u32::try_from(offset).map_err(|_| EINVAL)?;
    Ok((offset, u32::from(ata.sectors) * SECTOR_SIZE))
}

/// Ends a done request: with an error if any of its frames failed.
fn end(outstanding: Outstanding) {
    let result = if outstanding.failed { Err(EIO) } else { Ok(()) };
    outstanding.request.end(result);
}

impl ReleaseNotify for AoeDevice {
    fn released(self: &Arc<Self>, cookie: u64, pinned: u32) {
        self.pins.released.add(u64::from(pinned), Relaxed);
        self.counters.transmissions_held.fetch_sub(1, Relaxed);
        let counters = &self.counters;
        self.settle(cookie, |outstanding| {
            outstanding.unreleased = outstanding.unreleased.saturating_sub(1);
            if let Some(answered) = outstanding.answered_at {
                counters.late_releases.add(1, Relaxed);
                let waited = u64::try_from(answered.elapsed().as_micros_ceil()).unwrap_or(0);
                // Only updated here, under the device lock: no update is lost.
                if waited > counters.longest_release_wait_us.load(Relaxed) {
                    counters.longest_release_wait_us.store(waited, Relaxed);
                }
            }
        });
    }
}

impl DiskOps for AoeDevice {
    fn queue_rq(this: ArcBorrow<'_, Self>, request: Request) {
        let command = match request.op() {
            Op::Read => AtaCommand::Read,
            Op::Write => AtaCommand::Write,
            Op::Flush => AtaCommand::Flush,
            Op::Other => return request.end(Err(EOPNOTSUPP)),
        };
        let first_sector = request.sector();
        let sectors = request.bytes() / SECTOR_SIZE;
        let this: Arc<Self> = this.into();
        let mut round = Round::new();
        {
            let mut guard = this.inflight.lock();
            let inflight = &mut *guard;
            if !inflight.up {
                drop(guard);
                return request.end(Err(EIO));
            }
            let unsent = if command == AtaCommand::Flush {
                Ok(Frames::single())
            } else {
                split::split(first_sector, sectors, this.payload, inflight.identity.lba48)
            };
            let Ok(unsent) = unsent else {
                drop(guard);
                return request.end(Err(EIO));
            };
            if unsent.len() == 0 {
                drop(guard);
                return request.end(Ok(()));
            }
            let Some(index) = inflight.requests.iter().position(Option::is_none) else {
                drop(guard);
                return request.end(Err(EBUSY));
            };
            if inflight.backlog.push(index, GFP_ATOMIC).is_err() {
                drop(guard);
                return request.end(Err(ENOMEM));
            }
            let sequence = inflight.next_sequence;
            inflight.next_sequence = sequence.wrapping_add(1);
            let cookie = (sequence << COOKIE_INDEX_BITS) | u64::try_from(index).unwrap_or(0);
            if let Some(entry) = inflight.requests.get_mut(index) {
                *entry = Some(Outstanding {
                    request,
                    cookie,
                    command,
                    unsent,
                    in_flight: 0,
                    unreleased: 0,
                    first_sector,
                    failed: false,
                    answered_at: None,
                });
            }
            this.fill_window(inflight, &mut round);
        }
        this.finish(round);
    }

    fn open(&self) -> Result {
        if self.up() {
            Ok(())
        } else {
            Err(ENODEV)
        }
    }

    fn identity(&self) -> Result<[u8; IDENTIFY_LEN]> {
        let inflight = self.inflight.lock();
        if !inflight.up {
            return Err(ENODEV);
        }
        Ok(*inflight.identity.hdio_identity())
    }

    fn geometry(&self) -> Result<(u16, u8, u8)> {
        let inflight = self.inflight.lock();
        if !inflight.up {
            return Err(ENODEV);
        }
        let geometry = inflight.identity.geometry;
        Ok((geometry.cylinders, geometry.heads, geometry.sectors))
    }
}
