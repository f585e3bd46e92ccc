// SPDX-License-Identifier: GPL-2.0

//! The disk attributes aoetools read (`state`, `mac`, `netif`, `firmware-version`, `payload`),
//! kept in C (`sysfs.c`) and filled from the device here.

use crate::{
    device::AoeDevice, //
    sys::blk::AttributeGroups,
};
use kernel::ffi::c_void;

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

/// Fills `info` for the device behind a disk; called by `sysfs.c`'s show functions.
///
/// # Safety
///
/// `ctx` is the context of a live raoe disk (an [`AoeDevice`], kept alive by the disk while
/// its attributes exist) and `info` points to a writable `struct raoe_disk_info`.
#[no_mangle]
unsafe extern "C" fn raoe_disk_info(ctx: *const c_void, info: *mut DiskInfo) {
    // SAFETY: The caller passes a live device's context.
    let device = unsafe { &*ctx.cast::<AoeDevice>() };
    // SAFETY: The caller passes a writable `struct raoe_disk_info`.
    let info = unsafe { &mut *info };
    device.fill_info(info);
}
