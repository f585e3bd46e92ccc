// SPDX-License-Identifier: GPL-2.0

//! Target discovery: config queries go out on the allowed interfaces, config replies name the
//! targets (aoecmd.c:1529-1609), and an ATA IDENTIFY to each new target tells its capacity and
//! identity (aoecmd.c:1378-1424, 929-984).

use crate::{
    device::{
        AoeDevice,
        DeviceParams,
        Path, //
    },
    disks::Disks,
    identify::{
        payload_bytes,
        Identity, //
    },
    names::InterfaceList,
    net::{
        self,
        FrameReceiver, //
    },
    params,
    random::random_u32,
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
        Response,
        SentAta, //
    },
    work::Deferred,
};
use kernel::{
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
};

/// A target seen answering: one MAC behind one shelf.slot, reached through one interface.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) struct TargetAddress {
    /// The AoE shelf (major) number.
    pub(crate) shelf: u16,
    /// The AoE slot (minor) number.
    pub(crate) slot: u8,
    /// The target's MAC address.
    pub(crate) mac: [u8; 6],
    /// The local interface the reply came in on.
    pub(crate) ifindex: i32,
}

/// How many IDENTIFY requests may be in flight at once.
const IDENTIFY_SLOTS: usize = 16;

/// An up interface `aoe_iflist` allows.
#[derive(Clone, Copy)]
struct AllowedInterface {
    /// The interface index.
    ifindex: i32,
    /// Its MAC address.
    mac: [u8; 6],
    /// Its MTU.
    mtu: u32,
    /// Its name, NUL-padded.
    name: [u8; 16],
}

/// An IDENTIFY in flight and what the device will need from the config reply.
#[derive(Clone, Copy)]
struct Identifying {
    /// The target asked.
    target: TargetAddress,
    /// What was asked, to check the reply.
    sent: SentAta,
    /// Where the device's frames will go.
    path: Path,
    /// The target's buffer count.
    buffer_count: u16,
    /// The target's firmware version.
    firmware_version: u16,
    /// Data bytes per frame.
    payload: u32,
}

/// What the receive path needs to know, under one lock.
struct DiscoveryState {
    /// The interfaces `aoe_iflist` allowed at the last query; frames on others are ignored,
    /// as aoe.ko does (aoenet.c:141-142).
    interfaces: KVec<AllowedInterface>,
    /// Every target address seen so far.
    targets: KVec<TargetAddress>,
    /// Tags of the IDENTIFY requests in flight.
    tags: TagTable<[TagSlot; IDENTIFY_SLOTS]>,
    /// The IDENTIFY behind each busy tag slot.
    identifying: [Option<Identifying>; IDENTIFY_SLOTS],
    /// The identified devices, which take their own ATA replies.
    devices: KVec<Arc<AoeDevice>>,
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
    disk_maker: Deferred<Disks>,
}

impl Discovery {
    /// Creates an empty discovery state whose devices get their disks from `disks`.
    pub(crate) fn new(disks: Arc<Disks>) -> Result<impl PinInit<Self, Error>> {
        let disk_maker = Deferred::new(disks)?;
        Ok(try_pin_init!(Self {
            state <- kernel::new_spinlock_irq!(
                DiscoveryState {
                    interfaces: KVec::new(),
                    targets: KVec::new(),
                    // A random start keeps replies meant for an earlier load from matching.
                    tags: TagTable::new([TagSlot::EMPTY; IDENTIFY_SLOTS], random_u32()),
                    identifying: [None; IDENTIFY_SLOTS],
                    devices: KVec::new(),
                },
                "Discovery::state"
            ),
            drops: [const { Atomic::new(0) }; DropReason::COUNT],
            disk_maker,
        }? Error))
    }

    /// Broadcasts a config query on every allowed interface, as aoe.ko does at load, every
    /// 60 s and on a write to `/dev/etherd/discover` (aoecmd.c:414-451).
    pub(crate) fn broadcast_query(&self) -> Result {
        let mut list = [0u8; params::IFLIST_SIZE];
        params::iflist(&mut list);
        let set = list.split(|&byte| byte == 0).next().unwrap_or_default();
        let allowed = InterfaceList::parse(set).map_err(|err| {
            pr_err!("aoe_iflist is not a valid interface list ({err:?})\n");
            EINVAL
        })?;
        // The walk runs under RCU: collect first, send after.
        let mut interfaces = KVec::new();
        let mut collected = Ok(());
        net::for_each_interface(|interface| {
            if allowed.allows(interface.name.to_bytes()) && collected.is_ok() {
                let mut name = [0u8; 16];
                for (slot, &byte) in name.iter_mut().zip(interface.name.to_bytes()) {
                    *slot = byte;
                }
                let allowed = AllowedInterface {
                    ifindex: interface.ifindex,
                    mac: interface.mac,
                    mtu: interface.mtu,
                    name,
                };
                collected = interfaces.push(allowed, GFP_ATOMIC).map_err(|_| ENOMEM);
            }
        });
        collected?;
        let mut queried = KVec::with_capacity(interfaces.len(), GFP_KERNEL)?;
        queried.extend_from_slice(&interfaces, GFP_KERNEL)?;
        self.state.lock().interfaces = queried;
        for interface in &interfaces {
            let mut frame = [0u8; wire::ETH_MIN_FRAME_LEN];
            wire::build_config_query(&mut frame, &wire::Header::config_broadcast(interface.mac))
                .map_err(|_| EINVAL)?;
            if let Err(err) = net::transmit_copy(interface.ifindex, &frame) {
                pr_warn!(
                    "config query on ifindex {} failed: {err:?}\n",
                    interface.ifindex
                );
            }
        }
        Ok(())
    }

    /// Counts a dropped frame.
    fn drop_frame(&self, reason: DropReason) {
        if let Some(counter) = self.drops.get(reason.index()) {
            counter.add(1, Relaxed);
        }
    }

    /// Frames dropped for `reason` so far.
    pub(crate) fn drops(&self, reason: DropReason) -> u64 {
        self.drops
            .get(reason.index())
            .map_or(0, |counter| counter.load(Relaxed))
    }
}

impl Discovery {
    /// Records a target seen in a config reply and, if it is new, asks for its identity.
    fn add_target(&self, target: TargetAddress, buffer_count: u16, firmware: u16, sectors: u8) {
        // Built under the lock, sent after; zero-padded to the Ethernet minimum.
        let (request, frame) = {
            let mut state = self.state.lock();
            let Some(&interface) = state
                .interfaces
                .iter()
                .find(|i| i.ifindex == target.ifindex)
            else {
                return;
            };
            let src = interface.mac;
            if state.targets.contains(&target) || state.targets.push(target, GFP_ATOMIC).is_err() {
                return;
            }
            pr_info!(
                "e{}.{}: target {:02x?} on ifindex {}, bufcnt {}, firmware {:#06x}, sectors {}\n",
                target.shelf,
                target.slot,
                target.mac,
                target.ifindex,
                buffer_count,
                firmware,
                sectors
            );
            let Some((slot, tag)) = state.tags.allocate() else {
                pr_warn!(
                    "e{}.{}: no tag free for IDENTIFY\n",
                    target.shelf,
                    target.slot
                );
                return;
            };
            let request = AtaRequest {
                header: Header {
                    dst: target.mac,
                    src,
                    shelf: target.shelf,
                    slot: target.slot,
                    tag,
                },
                command: AtaCommand::Identify,
                lba: 0,
                sectors: 1,
                lba48: false,
            };
            let mut frame = [0u8; wire::ETH_MIN_FRAME_LEN];
            if wire::build_ata_request(&mut frame, &request).is_err() {
                state.tags.release(slot);
                return;
            }
            if let Some(pending) = state.identifying.get_mut(slot) {
                *pending = Some(Identifying {
                    target,
                    sent: request.sent(),
                    path: Path {
                        target_mac: target.mac,
                        ifindex: target.ifindex,
                        ifname: interface.name,
                        local_mac: src,
                    },
                    buffer_count,
                    firmware_version: firmware,
                    payload: payload_bytes(interface.mtu, sectors),
                });
            }
            (request, frame)
        };
        if let Err(err) = net::transmit_copy(target.ifindex, &frame) {
            pr_warn!(
                "e{}.{}: IDENTIFY (tag {:#x}) not sent: {err:?}\n",
                target.shelf,
                target.slot,
                request.header.tag
            );
        }
    }

    /// Takes an ATA reply: the answer to an IDENTIFY in flight or to a device's frame, or a
    /// frame to drop.
    fn ata_reply(&self, reply: &AtaReply<'_>) -> Result<(), DropReason> {
        let device = {
            let state = self.state.lock();
            state
                .devices
                .iter()
                .find(|d| d.shelf == reply.header.shelf && d.slot == reply.header.slot)
                .cloned()
        };
        match device {
            Some(device) => device.receive(reply),
            None => self.identified(reply),
        }
    }

    /// Takes the reply to an IDENTIFY: the target becomes a device.
    fn identified(&self, reply: &AtaReply<'_>) -> Result<(), DropReason> {
        let pending = {
            let mut state = self.state.lock();
            let slot = state.tags.complete(reply.header.tag)?.slot;
            state
                .identifying
                .get_mut(slot)
                .and_then(Option::take)
                .ok_or(DropReason::UnsolicitedTag)?
        };
        let target = pending.target;
        wire::check_ata_reply(reply, &pending.sent)?;
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
        self.add_device(&pending, identity);
        Ok(())
    }

    /// Creates the device of an identified target and asks for its disk.
    fn add_device(&self, pending: &Identifying, identity: Identity) {
        let target = pending.target;
        let params = DeviceParams {
            shelf: target.shelf,
            slot: target.slot,
            path: pending.path,
            identity,
            payload: pending.payload,
            buffer_count: pending.buffer_count,
            firmware_version: pending.firmware_version,
        };
        let device =
            AoeDevice::new(params, random_u32()).and_then(|init| Arc::pin_init(init, GFP_ATOMIC));
        let added = device.and_then(|device| {
            let mut state = self.state.lock();
            if state
                .devices
                .iter()
                .any(|d| d.shelf == target.shelf && d.slot == target.slot)
            {
                return Ok(());
            }
            state.devices.push(device.clone(), GFP_ATOMIC)?;
            drop(state);
            self.disk_maker.target().add(device)?;
            self.disk_maker.schedule();
            Ok(())
        });
        if let Err(err) = added {
            pr_err!("e{}.{}: no device: {err:?}\n", target.shelf, target.slot);
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
            .any(|i| i.ifindex == ifindex)
        {
            return;
        }
        let outcome = match wire::parse_response(frame) {
            Ok(Response::Config(reply)) => {
                let target = TargetAddress {
                    shelf: reply.header.shelf,
                    slot: reply.header.slot,
                    mac: reply.header.src,
                    ifindex,
                };
                self.add_target(
                    target,
                    reply.buffer_count,
                    reply.firmware_version,
                    reply.sector_count,
                );
                Ok(())
            }
            Ok(Response::Ata(reply)) => self.ata_reply(&reply),
            Ok(Response::Error { header, code }) => {
                pr_info!(
                    "error packet from e{}.{}: {}\n",
                    header.shelf,
                    header.slot,
                    code.message()
                );
                Ok(())
            }
            Err(reason) => Err(reason),
        };
        if let Err(reason) = outcome {
            self.drop_frame(reason);
        }
    }
}
