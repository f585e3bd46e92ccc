// SPDX-License-Identifier: GPL-2.0

//! raoe: an ATA-over-Ethernet initiator, the Rust counterpart of `drivers/block/aoe`.
//!
//! Implemented so far: target discovery (config query broadcast at load), ATA IDENTIFY of each
//! new target, and a block device `etherd/eS.N` per target whose writes send the request's own
//! pages, pinned, and end only once the network stack has released them. Retransmission, the
//! character devices and sysfs attributes are not implemented yet.

/// The AoE frame format: request builders, the response parser and the reply checks.
pub mod wire;

/// The ATA IDENTIFY data and the payload size of data frames.
pub mod identify;

/// Round-trip timing and the window of frames in flight.
pub mod flow;

/// Tags of the frames in flight.
pub mod tags;

/// Splitting a request's sectors into frames.
pub mod split;

/// Parsing what users write to /dev/etherd.
pub mod names;

#[path = "../kffi/blk.rs"]
mod blk;
#[path = "../kffi/net.rs"]
mod net;
#[path = "../kffi/pages.rs"]
mod pages;
#[path = "../kffi/random.rs"]
mod random;
#[path = "../kffi/work.rs"]
mod work;

mod device;
mod discovery;
mod disks;
mod params;
mod sysfs;

use blk::Major;
use discovery::Discovery;
use disks::{
    Disks,
    Ticker, //
};
use kernel::{
    prelude::*,
    sync::Arc, //
};
use net::PacketHandler;
use wire::DropReason;
use work::Deferred;

/// The AoE block major, shared with aoe.ko (`AOE_MAJOR`, aoe.h), so only one of the two
/// drivers can be loaded.
const AOE_MAJOR: u32 = 152;

module! {
    type: Raoe,
    name: "raoe",
    authors: ["raoe developers"],
    description: "ATA over Ethernet initiator (Rust)",
    license: "GPL",
    params: {
        aoe_deadsecs: u32 {
            default: 180,
            description: "Seconds a frame may go unanswered before its request fails (0: never)",
        },
    },
}

/// The module state. Fields drop in order: the receive path goes before the disks' memory
/// and the major, and `drop` removes the disks while the receive path still runs.
struct Raoe {
    /// The AoE receive path; dropping it unregisters it.
    handler: PacketHandler<Discovery>,
    /// Resends lost frames; stopped after the receive path.
    _ticker: Deferred<Ticker>,
    /// The disks of the devices found.
    disks: Arc<Disks>,
    /// The block major.
    _major: Major,
}

impl kernel::Module for Raoe {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        let major = Major::register(AOE_MAJOR, c"aoe").inspect_err(|_| {
            pr_err!("block major {AOE_MAJOR} is taken: unload aoe.ko before loading raoe\n");
        })?;
        let disks = Arc::pin_init(Disks::new(major.number()), GFP_KERNEL)?;
        let discovery = Arc::pin_init(Discovery::new(disks.clone())?, GFP_KERNEL)?;
        let handler = PacketHandler::register(wire::ETH_P_AOE, discovery)?;
        let deadsecs = module_parameters::aoe_deadsecs.value();
        let dead = match deadsecs {
            0 => kernel::time::Delta::from_secs(i64::from(u32::MAX)),
            secs => kernel::time::Delta::from_secs(i64::from(secs)),
        };
        let ticker = Deferred::periodic(
            Arc::new(
                Ticker {
                    disks: disks.clone(),
                    dead,
                },
                GFP_KERNEL,
            )?,
            disks::TICK_MS,
        )?;
        ticker.schedule();
        handler.receiver().broadcast_query()?;
        pr_info!("loaded\n");
        Ok(Raoe {
            handler,
            _ticker: ticker,
            disks,
            _major: major,
        })
    }
}

impl Drop for Raoe {
    fn drop(&mut self) {
        self.disks.close();
        let discovery = self.handler.receiver();
        let dropped: u64 = DropReason::ALL
            .iter()
            .map(|&reason| discovery.drops(reason))
            .sum();
        pr_info!("unloaded; {dropped} malformed or unexpected frames were dropped\n");
    }
}
