// SPDX-License-Identifier: GPL-2.0

//! Target discovery: config queries go out on the allowed interfaces, config replies name the
//! targets (aoecmd.c:1529-1609).

use crate::{
    names::InterfaceList,
    net::{
        self,
        FrameReceiver, //
    },
    params,
    wire::{
        self,
        DropReason,
        Response, //
    },
};
use kernel::{
    prelude::*,
    sync::{
        atomic::{
            Atomic,
            Relaxed, //
        },
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

/// What the receive path needs to know, under one lock.
struct DiscoveryState {
    /// The interfaces `aoe_iflist` allowed at the last query; frames on others are ignored,
    /// as aoe.ko does (aoenet.c:141-142).
    allowed: KVec<i32>,
    /// Every target address seen so far.
    targets: KVec<TargetAddress>,
}

/// The discovery state shared with the receive path.
#[pin_data]
pub(crate) struct Discovery {
    /// Taken in softirq (receive) and process context (queries).
    #[pin]
    state: SpinLockIrq<DiscoveryState>,
    /// Frames dropped, by reason ([`DropReason::index`]).
    drops: [Atomic<u64>; DropReason::COUNT],
}

impl Discovery {
    /// Creates an empty discovery state.
    pub(crate) fn new() -> impl PinInit<Self> {
        pin_init!(Self {
            state <- kernel::new_spinlock_irq!(
                DiscoveryState {
                    allowed: KVec::new(),
                    targets: KVec::new(),
                },
                "Discovery::state"
            ),
            drops: [const { Atomic::new(0) }; DropReason::COUNT],
        })
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
                collected = interfaces
                    .push((interface.ifindex, interface.mac), GFP_ATOMIC)
                    .map_err(|_| ENOMEM);
            }
        });
        collected?;
        let mut ifindexes = KVec::with_capacity(interfaces.len(), GFP_KERNEL)?;
        for &(ifindex, _) in &interfaces {
            ifindexes.push(ifindex, GFP_KERNEL)?;
        }
        self.state.lock().allowed = ifindexes;
        for &(ifindex, mac) in &interfaces {
            let mut frame = [0u8; wire::ETH_MIN_FRAME_LEN];
            wire::build_config_query(&mut frame, &wire::Header::config_broadcast(mac))
                .map_err(|_| EINVAL)?;
            if let Err(err) = net::transmit_copy(ifindex, &frame) {
                pr_warn!("config query on ifindex {ifindex} failed: {err:?}\n");
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

impl FrameReceiver for Discovery {
    fn receive(&self, frame: &[u8], ifindex: i32) {
        if !self.state.lock().allowed.contains(&ifindex) {
            return;
        }
        let reply = match wire::parse_response(frame) {
            Ok(Response::Config(reply)) => reply,
            Ok(Response::Ata(_)) => return self.drop_frame(DropReason::UnsolicitedTag),
            Ok(Response::Error { header, code }) => {
                pr_info!(
                    "error packet from e{}.{}: {}\n",
                    header.shelf,
                    header.slot,
                    code.message()
                );
                return;
            }
            Err(reason) => return self.drop_frame(reason),
        };
        let target = TargetAddress {
            shelf: reply.header.shelf,
            slot: reply.header.slot,
            mac: reply.header.src,
            ifindex,
        };
        {
            let mut state = self.state.lock();
            if state.targets.contains(&target) || state.targets.push(target, GFP_ATOMIC).is_err() {
                return;
            }
        }
        pr_info!(
            "e{}.{}: target {:02x?} on ifindex {}, bufcnt {}, firmware {:#06x}, sectors {}\n",
            target.shelf,
            target.slot,
            target.mac,
            ifindex,
            reply.buffer_count,
            reply.firmware_version,
            reply.sector_count
        );
    }
}
