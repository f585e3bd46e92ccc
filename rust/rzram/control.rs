// SPDX-License-Identifier: GPL-2.0

//! The rzram devices: created at load and through `hot_add`, removed through `hot_remove`
//! and at unload.

use crate::{
    bio_disk::BioDisk,
    device::Zram,
    sysfs, //
};
use kernel::{
    new_mutex,
    prelude::*,
    str::CString,
    sync::{
        Arc,
        Mutex, //
    },
};

/// A device and its disk `rzram<id>`.
struct Device {
    id: u32,
    disk: BioDisk<Zram>,
}

/// Every device; dropping it removes them all.
#[pin_data]
pub(crate) struct Devices {
    #[pin]
    list: Mutex<KVec<Device>>,
}

impl Devices {
    /// No devices.
    pub(crate) fn new() -> impl PinInit<Self> {
        pin_init!(Self {
            list <- new_mutex!(KVec::new(), "Devices::list"),
        })
    }

    /// Creates a device with the lowest free id and returns the id.
    pub(crate) fn add(&self) -> Result<u32> {
        let mut list = self.list.lock();
        let id = (0..=u32::MAX)
            .find(|id| list.iter().all(|device| device.id != *id))
            .ok_or(ENOSPC)?;
        let name = CString::try_from_fmt(fmt!("rzram{id}"))?;
        let zram = Arc::pin_init(Zram::new(id), GFP_KERNEL)?;
        let disk = BioDisk::new(&name, zram, Some(sysfs::disk_groups()))?;
        disk.add()?;
        list.push(Device { id, disk }, GFP_KERNEL)?;
        pr_info!("added device {}\n", &*name);
        Ok(id)
    }

    /// Removes device `id`, freeing what it stores; `EBUSY` if it is open, `ENODEV` if there
    /// is no such device.
    pub(crate) fn remove(&self, id: u32) -> Result {
        let mut list = self.list.lock();
        let index = list
            .iter()
            .position(|device| device.id == id)
            .ok_or(ENODEV)?;
        // The claim keeps it closed until the disk is gone.
        list[index].disk.as_ref().claim()?;
        drop(list.remove(index)?);
        pr_info!("removed device rzram{id}\n");
        Ok(())
    }
}
