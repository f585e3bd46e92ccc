// SPDX-License-Identifier: GPL-2.0

//! The rzram devices: created at load and through `hot_add`, removed through `hot_remove`
//! and at unload; each with a debugfs directory `rzram/rzram<id>/` (`zram/zram<id>/` with
//! zram.ko's names) for fault injection.

use crate::{
    device::Zram,
    logic::names::Names,
    logic::sysfs_text::parse_switch,
    sys::bio_disk::{
        AttributeGroups,
        BioDisk, //
    },
};
use kernel::{
    debugfs::{
        self,
        BinaryWriter, //
    },
    fs::file,
    new_mutex,
    prelude::*,
    str::CString,
    sync::{
        Arc,
        Mutex, //
    },
    uaccess::{
        UserSliceReader,
        UserSliceWriter, //
    },
};

/// A device and its disk `rzram<id>` (or `zram<id>`).
struct Device {
    id: u32,
    /// debugfs `rzram/rzram<id>/corrupt_next_checksum`; removed with the device.
    _fault: Pin<KBox<debugfs::File<Arc<Zram>>>>,
    /// debugfs `rzram/rzram<id>/block_state`; removed with the device.
    _block_state: Pin<KBox<debugfs::File<BlockStateFile>>>,
    disk: BioDisk<Zram>,
}

/// Every device; dropping it removes them all.
#[pin_data]
pub(crate) struct Devices {
    #[pin]
    list: Mutex<KVec<Device>>,
    /// The names the disks get.
    names: Names,
    /// The module's debugfs directory.
    debugfs: debugfs::Dir,
    /// The sysfs attributes of each disk.
    disk_groups: &'static AttributeGroups,
}

/// Writes to debugfs `corrupt_next_checksum`: `1` arms the wrong checksum of the next page
/// stored in integrity mode, `0` disarms it. Test-only: it lets a suite see a read fail the
/// check.
fn write_fault(zram: &Arc<Zram>, reader: &mut UserSliceReader) -> Result {
    let mut buf = [0u8; 8];
    let len = reader.len();
    let text = buf.get_mut(..len).ok_or(EINVAL)?;
    reader.read_slice(text)?;
    let text = core::str::from_utf8(text).map_err(|_| EINVAL)?;
    zram.arm_checksum_fault(parse_switch(text).ok_or(EINVAL)?);
    Ok(())
}

/// debugfs `block_state` of a device, as zram's (`CONFIG_ZRAM_MEMORY_TRACKING`): a line per
/// stored page, the file offset counting pages.
struct BlockStateFile(Arc<Zram>);

impl BinaryWriter for BlockStateFile {
    fn write_to_slice(
        &self,
        writer: &mut UserSliceWriter,
        offset: &mut file::Offset,
    ) -> Result<usize> {
        self.0.write_block_state(writer, offset)
    }
}

impl Devices {
    /// No devices; their disks get `names` and the sysfs attributes `disk_groups`, their
    /// debugfs directories go under `debugfs`.
    pub(crate) fn new(
        names: Names,
        debugfs: debugfs::Dir,
        disk_groups: &'static AttributeGroups,
    ) -> impl PinInit<Self> {
        pin_init!(Self {
            list <- new_mutex!(KVec::new(), "Devices::list"),
            names,
            debugfs,
            disk_groups,
        })
    }

    /// Creates a device with the lowest free id and returns the id.
    pub(crate) fn add(&self) -> Result<u32> {
        let mut list = self.list.lock();
        let id = (0..=u32::MAX)
            .find(|id| list.iter().all(|device| device.id != *id))
            .ok_or(ENOSPC)?;
        let name = CString::try_from_fmt(fmt!("{}{id}", self.names.prefix_str()))?;
        let zram = Arc::pin_init(Zram::new(self.names, id), GFP_KERNEL)?;
        // Each file keeps the directory.
        let dir = self.debugfs.subdir(&name);
        let fault = KBox::pin_init(
            dir.read_write_callback_file(
                c"corrupt_next_checksum",
                zram.clone(),
                &|zram: &Arc<Zram>, f| writeln!(f, "{}", u32::from(zram.checksum_fault_armed())),
                &write_fault,
            ),
            GFP_KERNEL,
        )?;
        let block_state = KBox::pin_init(
            dir.read_binary_file(c"block_state", BlockStateFile(zram.clone())),
            GFP_KERNEL,
        )?;
        let disk = BioDisk::new(&name, zram, Some(self.disk_groups))?;
        disk.add()?;
        list.push(
            Device {
                id,
                _fault: fault,
                _block_state: block_state,
                disk,
            },
            GFP_KERNEL,
        )?;
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
        pr_info!("removed device {}{id}\n", self.names.prefix_str());
        Ok(())
    }
}
