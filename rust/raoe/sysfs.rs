// SPDX-License-Identifier: GPL-2.0

//! The disk attributes aoetools read (`state`, `mac`, `netif`, `firmware-version`, `payload`),
//! kept in C (`sysfs.c`) and filled from the device (`device/disk_info.rs`).

use crate::sys::{
    blk::AttributeGroups,
    shims, //
};

/// What the attributes show, `struct raoe_disk_info`.
pub(crate) use crate::sys::shims::raoe_disk_info as DiskInfo;

/// The attribute groups of an AoE disk.
pub(crate) fn disk_groups() -> &'static AttributeGroups {
    // SAFETY: `raoe_disk_groups` returns the address of a static, NULL-terminated array.
    unsafe { &*shims::raoe_disk_groups().cast::<AttributeGroups>() }
}
