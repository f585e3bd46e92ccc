// SPDX-License-Identifier: GPL-2.0

//! rzram: a compressing RAM block device for swap, the Rust counterpart of zram.
//!
//! This is the module shell: it loads and unloads. Devices, sysfs and the data path are not
//! implemented yet.

/// Pages of one repeated word.
pub mod same_fill;

/// Where a page goes in the pool, and which pages a bio touches.
pub mod placement;

/// Parsing and formatting of the sysfs attributes.
pub mod sysfs_text;

use kernel::prelude::*;

module! {
    type: Rzram,
    name: "rzram",
    authors: ["raoe developers"],
    description: "Compressed RAM block device for swap (Rust)",
    license: "GPL",
}

/// The module state.
struct Rzram;

impl kernel::Module for Rzram {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        pr_info!("loaded; no devices yet\n");
        Ok(Rzram)
    }
}

impl Drop for Rzram {
    fn drop(&mut self) {
        pr_info!("unloaded\n");
    }
}
