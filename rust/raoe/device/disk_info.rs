// SPDX-License-Identifier: GPL-2.0

//! What the disk's sysfs attributes (`sysfs.c`) show of the device.

use super::state::AoeDevice;
use crate::{
    logic::user_input::{
        until_nul,
        NameList, //
    },
    sysfs::DiskInfo,
};
use kernel::{
    ffi::c_void,
    sync::Arc,
    types::ForeignOwnable, //
};

impl AoeDevice {
    /// What the disk's sysfs attributes show.
    fn fill_info(&self, info: &mut DiskInfo) {
        let inflight = self.inflight.lock();
        info.up = inflight.up;
        if let Some(target) = inflight.targets.first() {
            info.mac = target.mac;
        }
        // The unique interfaces in use, comma-separated, as aoe.ko's `netif` (aoeblk.c:70-91).
        let mut netif = NameList::new(&mut info.netif);
        for target in inflight.targets.iter() {
            for interface in target.interfaces.iter() {
                netif.add(until_nul(&interface.name));
            }
        }
        info.firmware_version = self.firmware_version;
        info.payload = self.payload;
    }
}

/// Fills `info` for the device behind a disk; called by `sysfs.c`'s show functions.
///
/// # Safety
///
/// `ctx` is the context of a live raoe disk (an [`AoeDevice`], kept alive by the disk while
/// its attributes exist) and `info` points to a writable `struct raoe_disk_info`.
#[no_mangle]
unsafe extern "C" fn raoe_disk_info(ctx: *mut c_void, info: *mut DiskInfo) {
    // SAFETY: The caller passes the context of a live disk, a foreign `Arc<AoeDevice>`
    // (`MqDisk`) taken back only once the disk and its attributes are gone.
    let device = unsafe { <Arc<AoeDevice> as ForeignOwnable>::borrow(ctx) };
    // SAFETY: The caller passes a writable `struct raoe_disk_info`.
    let info = unsafe { &mut *info };
    device.fill_info(info);
}

// `sysfs.h` declares `raoe_disk_info`: the definition above must have that signature.
const _: () = {
    let _ = [
        crate::sys::shims::raoe_disk_info as unsafe extern "C" fn(_, _),
        raoe_disk_info,
    ];
};
