// SPDX-License-Identifier: GPL-2.0

//! The disk attributes aoetools read (`state`, `mac`, `netif`, `firmware-version`, `payload`),
//! kept in C (`sysfs.c`) and filled from the device here.

use crate::{
    device::AoeDevice,
    sys::{
        blk::AttributeGroups,
        shims, //
    }, //
};
use kernel::ffi::c_void;

/// What the attributes show, filled by [`AoeDevice::fill_info`].
pub(crate) use crate::sys::shims::raoe_disk_info as DiskInfo;

/// The attribute groups of an AoE disk.
pub(crate) fn disk_groups() -> &'static AttributeGroups {
    // SAFETY: `raoe_disk_groups` returns the address of a static, NULL-terminated array.
    unsafe { &*shims::raoe_disk_groups().cast::<AttributeGroups>() }
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

// `sysfs.h` declares `raoe_disk_info`: the definition above must have that signature.
const _: () = {
    let _ = [
        shims::raoe_disk_info as unsafe extern "C" fn(_, _),
        raoe_disk_info,
    ];
};
