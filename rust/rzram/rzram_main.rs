// SPDX-License-Identifier: GPL-2.0

//! rzram: a compressing RAM block device for swap, the Rust counterpart of zram.
//!
//! Devices `/dev/rzramN` store each page same-filled (one word), compressed (lzo, lzo-rle,
//! lz4 or zstd) or raw in a zsmalloc pool, with zram's sysfs attributes and
//! `/sys/class/rzram-control`; with `zram_names=1`, zram.ko's names (`/dev/zramN`,
//! `/sys/class/zram-control`) in its place. Integrity mode, beyond zram, fails the read of any
//! page that does not match the checksum it was stored with.

/// The logic free of kernel types: `rust/host` builds these files for `cargo test`.
pub mod logic {
    /// Pages of one repeated word.
    pub mod same_fill;

    /// Where a page goes in the pool, and which pages a bio touches.
    pub mod placement;

    /// Parsing and formatting of the sysfs attributes.
    pub mod sysfs_text;

    /// Its own names or zram.ko's.
    pub mod names;

    /// The state of a page, packed into its slot.
    pub mod slot_state;

    /// The blocks of the backing device in use.
    pub mod block_map;
}

/// The glue to the kernel: the only code that reaches C, each Rust wrapper with its C shim.
mod sys {
    pub(crate) mod backing;
    pub(crate) mod bio_disk;
    pub(crate) mod clock;
    pub(crate) mod compress;
    pub(crate) mod crc32;
    #[cfg(raoe_rzram_kunit)]
    mod kunit;
    pub(crate) mod printk;
    pub(crate) mod shims;
    pub(crate) mod wait_bit;
    pub(crate) mod zsmalloc;
}

mod control;
mod device;
mod sysfs;

use control::Devices;
use kernel::{
    debugfs,
    prelude::*,
    sync::Arc, //
};
use logic::names::Names;
use sysfs::{
    disk_groups,
    Control, //
};

module! {
    type: Rzram,
    name: "rzram",
    authors: ["raoe developers"],
    description: "Compressed RAM block device for swap (Rust)",
    license: "GPL",
    params: {
        num_devices: u32 {
            default: 1,
            description: "Number of pre-created rzram devices",
        },
        zram_names: bool {
            default: false,
            description: "Register as zram.ko does (/dev/zramN, /sys/class/zram-control, debugfs zram/) for the tools hard-wired to its names; refused while zram.ko is loaded",
        },
        integrity: bool {
            default: false,
            description: "Keep a checksum of every page and fail reads that do not match it (the default of each device's integrity attribute)",
        },
    },
}

/// The module state. Fields drop in order: the control class goes before the devices.
struct Rzram {
    _control: Control,
    _devices: Arc<Devices>,
}

impl kernel::Module for Rzram {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        let names = Names::chosen(module_parameters::zram_names.value());
        let devices = Arc::pin_init(
            Devices::new(names, debugfs::Dir::new(names.prefix()), disk_groups()),
            GFP_KERNEL,
        )?;
        // The class first: it fails while another driver has these names, before a disk of
        // the same name could be added.
        let control = Control::register(devices.clone(), names.control_class()).inspect_err(|err| {
            if *err == EEXIST {
                pr_err!(
                    "/sys/class/{}-control is taken by another driver (zram.ko, or rzram with zram_names=1): unload it first\n",
                    names.prefix_str()
                );
            }
        })?;
        for _ in 0..module_parameters::num_devices.value() {
            devices.add()?;
        }
        Ok(Rzram {
            _control: control,
            _devices: devices,
        })
    }
}
