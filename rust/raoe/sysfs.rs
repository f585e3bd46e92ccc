// SPDX-License-Identifier: GPL-2.0

//! The disk attributes aoetools read (`state`, `mac`, `netif`, `firmware-version`, `payload`),
//! kept in C (`sysfs.c`) and filled from the device (`device/disk_info.rs`).

use crate::sys::blk::AttributeGroups;

/// `struct raoe_disk_info`.
#[repr(C)]
pub(crate) struct DiskInfo {
    /// Whether the device is up.
    pub(crate) up: bool,
    /// The target's MAC address.
    pub(crate) mac: [u8; 6],
    /// The local interfaces in use, comma-separated, NUL-padded.
    pub(crate) netif: [u8; 64],
    /// The target's firmware version.
    pub(crate) firmware_version: u16,
    /// Data bytes per frame.
    pub(crate) payload: u32,
}

extern "C" {
    fn raoe_disk_groups() -> *const AttributeGroups;
}

/// The attribute groups of an AoE disk.
pub(crate) fn disk_groups() -> &'static AttributeGroups {
    // SAFETY: `raoe_disk_groups` returns the address of a static, NULL-terminated array.
    unsafe { &*raoe_disk_groups() }
}
