// SPDX-License-Identifier: GPL-2.0

//! raoe: an ATA-over-Ethernet initiator, the Rust counterpart of `drivers/block/aoe`.
//!
//! This is the module shell: it loads and unloads. Discovery, block devices and the data path
//! are not implemented yet.

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

use kernel::prelude::*;

module! {
    type: Raoe,
    name: "raoe",
    authors: ["raoe developers"],
    description: "ATA over Ethernet initiator (Rust)",
    license: "GPL",
}

/// The module state.
struct Raoe;

impl kernel::Module for Raoe {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        pr_info!("loaded; no AoE functions yet\n");
        Ok(Raoe)
    }
}

impl Drop for Raoe {
    fn drop(&mut self) {
        pr_info!("unloaded\n");
    }
}
