// SPDX-License-Identifier: GPL-2.0

//! Target discovery: config queries go out on the allowed interfaces, config replies name the
//! targets (aoecmd.c:1529-1609), and an ATA IDENTIFY tells a new device's capacity and identity
//! (aoecmd.c:1378-1424, 929-984). Every target answering for a device becomes one of its paths;
//! a device that is down, or asked to revalidate, is identified again by its next config reply.

use crate::{
    device::{
        AoeDevice,
        DeviceParams,
        LocalInterface, //
    },
    disks::Disks,
    logic::identify::{
        payload_bytes,
        Identity, //
    },
    logic::tags::{
        TagSlot,
        TagTable, //
    },
    logic::user_input::{
        until_nul,
        InterfaceList, //
    },
    logic::wire::{
        self,
        AtaCommand,
        AtaReply,
        AtaRequest,
        ConfigReply,
        DropReason,
        Header,
        MacHex,
        Response,
        SentAta, //
    },
    messages::Messages,
    sys::net::{
        self,
        FrameReceiver, //
    },
    sys::params,
    sys::random::random_u32,
    sys::work::OwnedWork,
};
use kernel::{
    fmt,
    prelude::*,
    str::BStr,
    sync::{
        atomic::{
            Atomic,
            Relaxed, //
        },
        Arc,
        SpinLockIrq, //
    },
    time::{
        Delta,
        Instant,
        Monotonic, //
    },
};

/// How many IDENTIFY requests may be in flight at once.
const IDENTIFY_SLOTS: usize = 16;

/// How long an IDENTIFY waits for its answer before it is sent again with a new tag.
const IDENTIFY_TIMEOUT_MS: i64 = 2_000;

/// How often an IDENTIFY is sent before the target waits for its next config reply.
const IDENTIFY_ATTEMPTS: u8 = 5;

/// An up interface `aoe_iflist` allows.
#[derive(Clone, Copy)]
struct AllowedInterface {
    /// The interface.
    interface: LocalInterface,
    /// Its MTU.
    mtu: u32,
}

/// A target seen answering: one MAC behind one shelf.slot, reached through one interface.
#[derive(Clone, Copy)]
struct KnownTarget {
    /// The AoE shelf (major) number.
    shelf: u16,
    /// The AoE slot (minor) number.
    slot: u8,
    /// The target's MAC address.
    mac: [u8; 6],
    /// The local interface its config reply came in on.
    interface: LocalInterface,
    /// The target's buffer count.
    buffer_count: u16,
    /// Data bytes per frame over this interface.
    payload: u32,
    /// The target's firmware version.
    firmware_version: u16,
}

impl KnownTarget {
    /// Whether it is the same target on the same interface as `other`.
    fn same_path(&self, other: &KnownTarget) -> bool {
        self.shelf == other.shelf
            && self.slot == other.slot
            && self.mac == other.mac
            && self.interface.ifindex == other.interface.ifindex
    }

    /// Whether a reply with `header` comes from this target.
    fn answered_by(&self, header: &Header) -> bool {
        header.src == self.mac && header.shelf == self.shelf && header.slot == self.slot
    }
}

/// An IDENTIFY in flight.
#[derive(Clone, Copy)]
struct Identifying {
    /// The target asked.
    target: KnownTarget,
    /// What was asked, to check the reply.
    sent: SentAta,
    /// When it was sent.
    sent_at: Instant<Monotonic>,
    /// How often it has been sent, this time included.
    attempt: u8,
}

/// What the receive path needs to know, under one lock.
struct DiscoveryState {
    /// The interfaces `aoe_iflist` allowed at the last query; frames on others are ignored,
    /// as aoe.ko does (aoenet.c:141-142).
    interfaces: KVec<AllowedInterface>,
    /// Every target path seen so far.
    targets: KVec<KnownTarget>,
    /// Tags of the IDENTIFY requests in flight.
    tags: TagTable<[TagSlot; IDENTIFY_SLOTS]>,
    /// The IDENTIFY behind each busy tag slot.
    identifying: [Option<Identifying>; IDENTIFY_SLOTS],
    /// The identified devices, which take their own ATA replies.
    devices: KVec<Arc<AoeDevice>>,
    /// Devices asked to revalidate: their next config reply sends IDENTIFY.
    revalidating: KVec<(u16, u8)>,
}

/// The discovery state shared with the receive path.
#[pin_data]
pub(crate) struct Discovery {
    /// Taken in softirq (receive) and process context (queries).
    #[pin]
    state: SpinLockIrq<DiscoveryState>,
    /// Frames dropped, by reason ([`DropReason::index`]).
    drops: [Atomic<u64>; DropReason::COUNT],
    /// Makes the disks of identified devices in process context.
    disk_maker: OwnedWork<Disks>,
    /// Where `/dev/etherd/err` messages go.
    messages: Arc<Messages>,
}

impl Discovery {
    /// Creates an empty discovery state whose devices get their disks from `disks`.
    pub(crate) fn new(
        disks: Arc<Disks>,
        messages: Arc<Messages>,
    ) -> Result<impl PinInit<Self, Error>> {
        let disk_maker = OwnedWork::new(disks)?;
        Ok(try_pin_init!(Self {
            state <- kernel::new_spinlock_irq!(
                DiscoveryState {
                    interfaces: KVec::new(),
                    targets: KVec::new(),
                    // A random start keeps replies meant for an earlier load from matching.
                    tags: TagTable::new([TagSlot::EMPTY; IDENTIFY_SLOTS], random_u32()),
                    identifying: [None; IDENTIFY_SLOTS],
                    devices: KVec::new(),
                    revalidating: KVec::new(),
                },
                "Discovery::state"
            ),
            drops: [const { Atomic::new(0) }; DropReason::COUNT],
            disk_maker,
            messages,
        }? Error))
    }

    /// Reads `aoe_iflist` and the up interfaces it allows, and remembers them as the ones
    /// AoE frames are taken from.
    fn refresh_interfaces(&self) -> Result<KVec<AllowedInterface>> {
        let mut list = [0u8; params::IFLIST_SIZE];
        params::iflist(&mut list);
        let allowed = InterfaceList::parse(until_nul(&list)).map_err(|err| {
            pr_err!("aoe_iflist is not a valid interface list ({err:?})\n");
            EINVAL
        })?;
        // The walk runs under RCU: collect first, send after.
        let mut interfaces = KVec::new();
        let mut collected = Ok(());
        net::for_each_interface(|found| {
            if allowed.allows(found.name.to_bytes()) && collected.is_ok() {
                let mut name = [0u8; 16];
                for (slot, &byte) in name.iter_mut().zip(found.name.to_bytes()) {
                    *slot = byte;
                }
                let interface = LocalInterface {
                    ifindex: found.ifindex,
                    name,
                    mac: found.mac,
                };
                collected = interfaces
                    .push(
                        AllowedInterface {
                            interface,
                            mtu: found.mtu,
                        },
                        GFP_ATOMIC,
                    )
                    .map_err(|_| ENOMEM);
            }
        });
        collected?;
        let mut copy = KVec::with_capacity(interfaces.len(), GFP_KERNEL)?;
        copy.extend_from_slice(&interfaces, GFP_KERNEL)?;
        self.state.lock().interfaces = copy;
        Ok(interfaces)
    }

    /// Sends a config query for `shelf.slot` (the broadcast address for all) on every allowed
    /// interface, as aoe.ko does at load, every 60 s and on a write to `/dev/etherd/discover`
    /// (aoecmd.c:414-451).
    fn query(&self, shelf: u16, slot: u8) -> Result {
        for allowed in &self.refresh_interfaces()? {
            let mut frame = [0u8; wire::ETH_MIN_FRAME_LEN];
            let header = Header::config_device(allowed.interface.mac, shelf, slot);
            wire::build_config_query(&mut frame, &header).map_err(|_| EINVAL)?;
            if let Err(err) = net::transmit_copy(allowed.interface.ifindex, &frame) {
                pr_warn!(
                    "config query on {} failed: {err:?}\n",
                    BStr::from_bytes(until_nul(&allowed.interface.name))
                );
            }
        }
        Ok(())
    }

    /// Asks every target on the allowed interfaces to answer.
    pub(crate) fn broadcast_query(&self) -> Result {
        let broadcast = Header::config_broadcast([0; 6]);
        self.query(broadcast.shelf, broadcast.slot)
    }

    /// Identifies device `shelf.slot` again through its next config reply, as a write to
    /// `/dev/etherd/revalidate` asks (aoechr.c:89-133).
    pub(crate) fn revalidate(&self, shelf: u16, slot: u8) -> Result {
        {
            let mut state = self.state.lock();
            if !state
                .devices
                .iter()
                .any(|d| d.shelf == shelf && d.slot == slot)
            {
                // As aoe.ko (aoechr.c, revalidate): a name of no device is an invalid argument.
                return Err(EINVAL);
            }
            if !state.revalidating.contains(&(shelf, slot)) {
                state.revalidating.push((shelf, slot), GFP_ATOMIC)?;
            }
        }
        self.query(shelf, slot)
    }

    /// Forgets device `shelf.slot` and its targets, after its disk was removed, so that a
    /// later config reply finds it anew.
    pub(crate) fn forget(&self, shelf: u16, slot: u8) {
        let mut state = self.state.lock();
        state
            .devices
            .retain(|d| !(d.shelf == shelf && d.slot == slot));
        state
            .targets
            .retain(|t| !(t.shelf == shelf && t.slot == slot));
        state
            .revalidating
            .retain(|address| *address != (shelf, slot));
    }

    /// Counts a dropped frame.
    fn drop_frame(&self, reason: DropReason) {
        if let Some(counter) = self.drops.get(reason.index()) {
            counter.add(1, Relaxed);
        }
    }

    /// Writes the debugfs `drops` file: `reason count` per line, then `total count`.
    pub(crate) fn write_drops(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut total = 0u64;
        for reason in DropReason::ALL {
            let count = self
                .drops
                .get(reason.index())
                .map_or(0, |counter| counter.load(Relaxed));
            total = total.saturating_add(count);
            writeln!(f, "{} {count}", reason.name())?;
        }
        writeln!(f, "total {total}")?;
        writeln!(f, "err_messages_dropped {}", self.messages.dropped())
    }

    /// Frames dropped so far.
    pub(crate) fn total_drops(&self) -> u64 {
        self.drops.iter().map(|counter| counter.load(Relaxed)).sum()
    }

    /// Takes a config reply: the target becomes a path of its device, and a new device, one
    /// that is down or one asked to revalidate gets an IDENTIFY.
    fn config_reply(&self, reply: &ConfigReply<'_>, ifindex: i32) {
        let (shelf, slot) = (reply.header.shelf, reply.header.slot);
        let (target, device, identify) = {
            let mut state = self.state.lock();
            let Some(allowed) = state
                .interfaces
                .iter()
                .find(|i| i.interface.ifindex == ifindex)
                .copied()
            else {
                return;
            };
            let target = KnownTarget {
                shelf,
                slot,
                mac: reply.header.src,
                interface: allowed.interface,
                buffer_count: reply.buffer_count,
                payload: payload_bytes(allowed.mtu, reply.sector_count),
                firmware_version: reply.firmware_version,
            };
            match state.targets.iter_mut().find(|t| t.same_path(&target)) {
                Some(known) => *known = target,
                None => {
                    if state.targets.push(target, GFP_ATOMIC).is_err() {
                        return;
                    }
                    pr_info!(
                        "e{shelf}.{slot}: target {} on {}, bufcnt {}, firmware {:#06x}, payload {}\n",
                        // `pr_*` takes the kernel's `Display`, which `Arguments` has.
                        format_args!("{}", MacHex(target.mac)),
                        BStr::from_bytes(until_nul(&target.interface.name)),
                        target.buffer_count,
                        target.firmware_version,
                        target.payload
                    );
                }
            }
            let device = state
                .devices
                .iter()
                .find(|d| d.shelf == shelf && d.slot == slot)
                .cloned();
            let asked = state
                .identifying
                .iter()
                .flatten()
                .any(|pending| pending.target.shelf == shelf && pending.target.slot == slot);
            let revalidating = state.revalidating.contains(&(shelf, slot));
            let identify = !asked && (device.is_none() || revalidating);
            (target, device, identify)
        };
        let identify = match device {
            Some(device) => {
                add_path(&device, &target);
                identify || !device.up()
            }
            None => identify,
        };
        if identify {
            self.send_identify(target);
        }
    }

    /// Sends again every IDENTIFY unanswered for [`IDENTIFY_TIMEOUT_MS`], with a new tag that
    /// keeps the previous one, as a device's frames are resent (a late answer still counts):
    /// a lost one would otherwise keep its target from becoming a device. After
    /// [`IDENTIFY_ATTEMPTS`] the target waits for its next config reply. Called every tick.
    pub(crate) fn resend_identifies(&self) {
        let mut resend = [None; IDENTIFY_SLOTS];
        let mut given_up = [None; IDENTIFY_SLOTS];
        {
            let mut guard = self.state.lock();
            let state = &mut *guard;
            for (slot, entry) in state.identifying.iter_mut().enumerate() {
                let Some(pending) = entry.as_mut() else {
                    continue;
                };
                if pending.sent_at.elapsed() < Delta::from_millis(IDENTIFY_TIMEOUT_MS) {
                    continue;
                }
                if pending.attempt >= IDENTIFY_ATTEMPTS {
                    state.tags.release(slot);
                    if let Some(copy) = given_up.get_mut(slot) {
                        *copy = entry.take();
                    }
                } else if let Some(tag) = state.tags.retransmit(slot) {
                    pending.attempt += 1;
                    pending.sent_at = Instant::now();
                    if let Some(copy) = resend.get_mut(slot) {
                        *copy = Some((pending.target, tag));
                    }
                }
            }
        }
        for (target, tag) in resend.into_iter().flatten() {
            transmit_identify(target, tag);
        }
        for pending in given_up.into_iter().flatten() {
            self.messages.post(format_args!(
                "e{}.{}: no answer to {} IDENTIFY requests; waiting for its next config reply\n",
                pending.target.shelf, pending.target.slot, IDENTIFY_ATTEMPTS
            ));
        }
    }

    /// Sends an IDENTIFY to `target`.
    fn send_identify(&self, target: KnownTarget) {
        let tag = {
            let mut state = self.state.lock();
            let Some((slot, tag)) = state.tags.allocate() else {
                pr_warn!(
                    "e{}.{}: no tag free for IDENTIFY\n",
                    target.shelf,
                    target.slot
                );
                return;
            };
            if let Some(pending) = state.identifying.get_mut(slot) {
                *pending = Some(Identifying {
                    target,
                    sent: identify_request(target, tag).sent(),
                    sent_at: Instant::now(),
                    attempt: 1,
                });
            }
            tag
        };
        transmit_identify(target, tag);
    }

    /// Takes an ATA reply: the answer to an IDENTIFY in flight or to a device's frame.
    fn ata_reply(&self, reply: &AtaReply<'_>) -> Result<(), DropReason> {
        let (identifying, device) = {
            let state = self.state.lock();
            // The IDENTIFY tags and each device's tags are separate spaces: a reply answers an
            // IDENTIFY only if it also comes from the target asked.
            let identifying = state
                .tags
                .find(reply.header.tag)
                .ok()
                .and_then(|matched| state.identifying.get(matched.slot).copied().flatten())
                .is_some_and(|pending| pending.target.answered_by(&reply.header));
            let device = state
                .devices
                .iter()
                .find(|d| d.shelf == reply.header.shelf && d.slot == reply.header.slot)
                .cloned();
            (identifying, device)
        };
        if identifying {
            return self.identified(reply);
        }
        device.ok_or(DropReason::UnsolicitedTag)?.receive(reply)
    }

    /// Takes the reply to an IDENTIFY, once it is checked: the target becomes a device, or a
    /// device comes up again.
    fn identified(&self, reply: &AtaReply<'_>) -> Result<(), DropReason> {
        let (pending, device) = {
            let mut state = self.state.lock();
            let slot = state.tags.find(reply.header.tag)?.slot;
            let pending = state
                .identifying
                .get(slot)
                .copied()
                .flatten()
                .ok_or(DropReason::UnsolicitedTag)?;
            let target = pending.target;
            if !target.answered_by(&reply.header) {
                return Err(DropReason::UnsolicitedTag);
            }
            wire::check_ata_reply(reply, &pending.sent)?;
            state.tags.release(slot);
            if let Some(entry) = state.identifying.get_mut(slot) {
                *entry = None;
            }
            state
                .revalidating
                .retain(|address| *address != (target.shelf, target.slot));
            let device = state
                .devices
                .iter()
                .find(|d| d.shelf == target.shelf && d.slot == target.slot)
                .cloned();
            (pending, device)
        };
        let target = pending.target;
        let identity = Identity::parse(reply.data).ok_or(DropReason::ShortData)?;
        pr_info!(
            "e{}.{}: {} sectors ({}), model \"{}\", serial \"{}\", firmware \"{}\"\n",
            target.shelf,
            target.slot,
            identity.sectors,
            if identity.lba48 { "LBA48" } else { "LBA28" },
            BStr::from_bytes(identity.model.as_bytes()),
            BStr::from_bytes(identity.serial.as_bytes()),
            BStr::from_bytes(identity.firmware.as_bytes())
        );
        match device {
            Some(device) => {
                device.identified(identity);
                // The disk's capacity follows in process context.
                self.disk_maker.schedule();
            }
            None => self.add_device(&target, identity),
        }
        Ok(())
    }

    /// Creates the device of an identified target with every path known for it, and asks for
    /// its disk.
    fn add_device(&self, first: &KnownTarget, identity: Identity) {
        let params = DeviceParams {
            shelf: first.shelf,
            slot: first.slot,
            identity,
            payload: first.payload,
            firmware_version: first.firmware_version,
            messages: self.messages.clone(),
        };
        let device =
            AoeDevice::new(params, random_u32()).and_then(|init| Arc::pin_init(init, GFP_ATOMIC));
        let added = device.and_then(|device| {
            let mut state = self.state.lock();
            if state
                .devices
                .iter()
                .any(|d| d.shelf == first.shelf && d.slot == first.slot)
            {
                return Ok(());
            }
            for path in state
                .targets
                .iter()
                .filter(|t| t.shelf == first.shelf && t.slot == first.slot)
            {
                add_path(&device, path);
            }
            state.devices.push(device.clone(), GFP_ATOMIC)?;
            drop(state);
            self.disk_maker.target().add(device)?;
            self.disk_maker.schedule();
            Ok(())
        });
        if let Err(err) = added {
            pr_err!("e{}.{}: no device: {err:?}\n", first.shelf, first.slot);
        }
    }
}

impl FrameReceiver for Discovery {
    fn receive(&self, frame: &[u8], ifindex: i32) {
        if !self
            .state
            .lock()
            .interfaces
            .iter()
            .any(|i| i.interface.ifindex == ifindex)
        {
            return;
        }
        let outcome = match wire::parse_response(frame) {
            Ok(Response::Config(reply)) => {
                self.config_reply(&reply, ifindex);
                Ok(())
            }
            Ok(Response::Ata(reply)) => self.ata_reply(&reply),
            Ok(Response::Error { header, code }) => {
                self.messages.post(format_args!(
                    "error packet from e{}.{}: {}\n",
                    header.shelf,
                    header.slot,
                    code.message()
                ));
                Err(DropReason::ErrorResponse)
            }
            Err(reason) => Err(reason),
        };
        if let Err(reason) = outcome {
            self.drop_frame(reason);
        }
    }
}

/// Makes `target` a path of `device`; a path refused is logged, and the device keeps its other
/// paths.
fn add_path(device: &AoeDevice, target: &KnownTarget) {
    let added = device.add_path(
        target.mac,
        target.interface,
        target.buffer_count,
        target.payload,
    );
    if let Err(err) = added {
        pr_warn!(
            "e{}.{}: target {} on {} not used: {err:?}\n",
            target.shelf,
            target.slot,
            // `pr_*` takes the kernel's `Display`, which `Arguments` has.
            format_args!("{}", MacHex(target.mac)),
            BStr::from_bytes(until_nul(&target.interface.name))
        );
    }
}

/// The IDENTIFY request for `target` under `tag`.
fn identify_request(target: KnownTarget, tag: u32) -> AtaRequest {
    AtaRequest {
        header: Header {
            dst: target.mac,
            src: target.interface.mac,
            shelf: target.shelf,
            slot: target.slot,
            tag,
        },
        command: AtaCommand::Identify,
        lba: 0,
        sectors: 1,
        lba48: false,
    }
}

/// Sends the IDENTIFY for `target` under `tag`, zero-padded to the Ethernet minimum; a frame
/// that does not go out is resent at its timeout.
fn transmit_identify(target: KnownTarget, tag: u32) {
    let mut frame = [0u8; wire::ETH_MIN_FRAME_LEN];
    let sent = wire::build_ata_request(&mut frame, &identify_request(target, tag))
        .map_err(|_| EINVAL)
        .and_then(|_| net::transmit_copy(target.interface.ifindex, &frame));
    if let Err(err) = sent {
        pr_warn!(
            "e{}.{}: IDENTIFY (tag {tag:#x}) not sent: {err:?}\n",
            target.shelf,
            target.slot
        );
    }
}
