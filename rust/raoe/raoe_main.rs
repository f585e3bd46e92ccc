// SPDX-License-Identifier: GPL-2.0

//! raoe: an ATA-over-Ethernet initiator, the Rust counterpart of `drivers/block/aoe`.
//!
//! Implemented so far: target discovery (config query broadcast at load, config replies
//! logged) and ATA IDENTIFY of each new target (capacity and identity logged). Block devices
//! and the data path are not implemented yet.

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

#[path = "../kffi/net.rs"]
mod net;
#[path = "../kffi/random.rs"]
mod random;

mod discovery;
mod params;

use discovery::Discovery;
use kernel::{
    prelude::*,
    sync::Arc, //
};
use net::PacketHandler;
use wire::DropReason;

module! {
    type: Raoe,
    name: "raoe",
    authors: ["raoe developers"],
    description: "ATA over Ethernet initiator (Rust)",
    license: "GPL",
}

/// The module state.
struct Raoe {
    /// The AoE receive path; dropping it unregisters it.
    handler: PacketHandler<Discovery>,
}

impl kernel::Module for Raoe {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        let discovery = Arc::pin_init(Discovery::new(), GFP_KERNEL)?;
        let handler = PacketHandler::register(wire::ETH_P_AOE, discovery)?;
        handler.receiver().broadcast_query()?;
        pr_info!("loaded; discovery only, no block devices yet\n");
        Ok(Raoe { handler })
    }
}

impl Drop for Raoe {
    fn drop(&mut self) {
        let discovery = self.handler.receiver();
        let dropped: u64 = DropReason::ALL
            .iter()
            .map(|&reason| discovery.drops(reason))
            .sum();
        pr_info!("unloaded; {dropped} malformed or unexpected frames were dropped\n");
    }
}
