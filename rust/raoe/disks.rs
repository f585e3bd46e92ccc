// SPDX-License-Identifier: GPL-2.0

//! The block devices of identified targets: made visible in process context with their
//! debugfs files, resized after a revalidation, removed by `/dev/etherd/flush` or at unload
//! while the receive path still runs, so their requests can end.

use crate::{
    device::{
        AoeDevice,
        HW_QUEUES,
        QUEUE_DEPTH, //
    },
    logic::minors,
    logic::user_input::FlushRequest,
    sys::blk::{
        DiskConfig,
        MqDisk, //
    },
    sys::params,
    sys::work::WorkRun,
    sysfs, //
};
use kernel::{
    debugfs,
    prelude::*,
    str::CString,
    sync::{
        atomic::{
            Atomic,
            Relaxed, //
        },
        Arc,
        CondVar,
        Mutex,
        SpinLockIrq, //
    },
    time::Delta,
};

/// aoe.ko's default `aoe_maxsectors` (aoeblk.c:28-31).
const MAX_HW_SECTORS: u32 = 2560;

/// A visible disk and what belongs to it.
struct DiskEntry {
    /// The disk.
    disk: MqDisk<AoeDevice>,
    /// The capacity the disk was last given.
    capacity: u64,
    /// Its index, which gives its minors.
    index: usize,
    /// The device's debugfs `stats`; removed with the entry.
    _stats: Pin<KBox<debugfs::File<Arc<AoeDevice>>>>,
}

/// A device [`Disks::tick`] ticks.
#[derive(Clone)]
struct Ticked {
    /// The device.
    device: Arc<AoeDevice>,
    /// Ticks since its disk was removed, if it was: it is ticked until the network stack has
    /// released its transmissions.
    ticks_since_removal: Option<u32>,
}

/// How often [`Disks::tick`] is to run, as aoe.ko's timer (aoecmd.c, `HZ / 10`).
pub(crate) const TICK_MS: u32 = 100;

/// Ticks between warnings about a removed disk's device whose transmissions are still held.
const TICKS_PER_HELD_WARNING: u32 = 10_000 / TICK_MS;

/// The disks of the module's devices.
///
/// # Invariants
///
/// The device of every disk in `disks` is in `devices`, and `tick_list` has room for every entry
/// of `devices`: a tick never allocates.
#[pin_data]
pub(crate) struct Disks {
    /// The block major number.
    major: u32,
    /// The module's debugfs directory.
    debugfs: debugfs::Dir,
    /// Devices identified in softirq context, waiting for their disk.
    #[pin]
    pending: SpinLockIrq<KVec<Arc<AoeDevice>>>,
    /// The visible disks.
    #[pin]
    disks: Mutex<KVec<DiskEntry>>,
    /// The devices of the disks, ticked until their disk is gone and the network stack has
    /// released their transmissions.
    #[pin]
    devices: Mutex<KVec<Ticked>>,
    /// The devices a tick goes through outside the lock of `devices`: a copy of it, empty
    /// between ticks. Locked before `devices`.
    #[pin]
    tick_list: Mutex<KVec<Arc<AoeDevice>>>,
    /// Told by [`Disks::tick`] when the device of a removed disk holds no more transmissions.
    #[pin]
    released: CondVar,
    /// Set at unload: no more disks are made.
    closing: Atomic<bool>,
}

impl Disks {
    /// Creates an empty registry for disks of block major `major`, with debugfs files under
    /// `debugfs`.
    pub(crate) fn new(major: u32, debugfs: debugfs::Dir) -> impl PinInit<Self> {
        pin_init!(Self {
            major,
            debugfs,
            pending <- kernel::new_spinlock_irq!(KVec::new(), "Disks::pending"),
            disks <- kernel::new_mutex!(KVec::new(), "Disks::disks"),
            devices <- kernel::new_mutex!(KVec::new(), "Disks::devices"),
            tick_list <- kernel::new_mutex!(KVec::new(), "Disks::tick_list"),
            released <- kernel::new_condvar!("Disks::released"),
            closing: Atomic::new(false),
        })
    }

    /// Queues `device` for a disk; the caller schedules [`WorkRun::run`].
    pub(crate) fn add(&self, device: Arc<AoeDevice>) -> Result {
        self.pending.lock().push(device, GFP_ATOMIC)?;
        Ok(())
    }

    /// Removes the disks `request` names, as a write to `/dev/etherd/flush` asks, and tells
    /// `removed` the shelf and slot of each. An open disk is never removed: named, it fails the
    /// write with `EBUSY` (aoe.ko removes it anyway, aoedev.c:254-402).
    pub(crate) fn flush(
        &self,
        request: FlushRequest<'_>,
        mut removed: impl FnMut(u16, u8),
    ) -> Result {
        let mut busy = false;
        let mut found = false;
        // One slot per disk, filled if that disk is removed: a removed entry must not be
        // dropped under the lock.
        let mut taken = KVec::new();
        {
            let mut disks = self.disks.lock();
            for _ in 0..disks.len() {
                taken.push(None, GFP_KERNEL)?;
            }
            let mut index = 0;
            for slot in taken.iter_mut() {
                let Some(entry) = disks.get(index) else {
                    break;
                };
                let device = entry.disk.queue();
                let named = match &request {
                    FlushRequest::Down => !device.up(),
                    FlushRequest::All => true,
                    FlushRequest::Devices(names) => names
                        .clone()
                        .any(|name| name == (device.shelf, device.slot)),
                };
                found |= named;
                if !named {
                    index += 1;
                } else if entry.disk.close_unless_open().is_err() {
                    busy |= matches!(request, FlushRequest::Devices(_));
                    index += 1;
                } else {
                    *slot = Some(disks.remove(index)?);
                }
            }
        }
        for entry in taken.into_iter().flatten() {
            let (shelf, slot) = (entry.disk.queue().shelf, entry.disk.queue().slot);
            self.remove(entry);
            removed(shelf, slot);
        }
        if busy {
            Err(EBUSY)
        } else if !found && matches!(request, FlushRequest::Devices(_)) {
            Err(ENODEV)
        } else {
            Ok(())
        }
    }

    /// Removes every disk, waiting for their requests; no disk is made after this.
    pub(crate) fn close(&self) {
        self.closing.store(true, Relaxed);
        let removed = core::mem::take(&mut *self.disks.lock());
        for entry in removed {
            self.remove(entry);
        }
    }

    /// Removes a disk: waits for its requests, then for the network stack to let go of every
    /// transmission that still calls back into this module.
    fn remove(&self, entry: DiskEntry) {
        let device = entry.disk.queue().clone();
        // Removing the disk waits for every request, and so for every frame's release; the
        // device is still ticked meanwhile, so lost frames are resent.
        drop(entry);
        {
            let mut devices = self.devices.lock();
            let is_ticked = match devices
                .iter_mut()
                .find(|ticked| Arc::ptr_eq(&ticked.device, &device))
            {
                Some(ticked) => {
                    ticked.ticks_since_removal = Some(0);
                    true
                }
                // Against the type invariant: nothing would wake the wait below.
                None => {
                    pr_err!(
                        "e{}.{}: the device of a disk was not ticked\n",
                        device.shelf,
                        device.slot
                    );
                    false
                }
            };
            if is_ticked && device.transmissions_held() != 0 {
                pr_warn!(
                    "e{}.{}: waiting for the network stack to release {} transmissions\n",
                    device.shelf,
                    device.slot,
                    device.transmissions_held()
                );
                while device.transmissions_held() != 0 {
                    self.released.wait(&mut devices);
                }
            }
            devices.retain(|ticked| !Arc::ptr_eq(&ticked.device, &device));
        }
        pr_info!(
            "e{}.{}: removed; {}\n",
            device.shelf,
            device.slot,
            // `pr_*` takes the kernel's `Display`, which `Arguments` has.
            format_args!("{}", PinSummary(&device))
        );
        if device.pins.outstanding() != 0 {
            pr_err!(
                "e{}.{}: {} page pins never released\n",
                device.shelf,
                device.slot,
                device.pins.outstanding()
            );
        }
    }

    /// Ticks every device: resends frames whose timeout passed and takes down devices whose
    /// frames waited longer than `dead`. Wakes the removals waiting for a device whose
    /// transmissions are all released, and warns every 10 s about one still waiting.
    pub(crate) fn tick(&self, dead: Delta) {
        let mut tick_list = self.tick_list.lock();
        // Ticked outside the lock of `devices`: a tick sends frames and ends requests.
        for ticked in self.devices.lock().iter() {
            // The type invariant leaves room for every device.
            if tick_list
                .push_within_capacity(ticked.device.clone())
                .is_err()
            {
                pr_err!("the tick list has no room for a device\n");
            }
        }
        for device in tick_list.iter() {
            AoeDevice::tick(device, dead);
        }
        tick_list.clear();
        drop(tick_list);
        let mut devices = self.devices.lock();
        let mut released = false;
        for entry in devices.iter_mut() {
            let Some(ticks) = entry.ticks_since_removal.as_mut() else {
                continue;
            };
            let held = entry.device.transmissions_held();
            if held == 0 {
                released = true;
                continue;
            }
            *ticks = ticks.wrapping_add(1);
            if *ticks % TICKS_PER_HELD_WARNING == 0 {
                pr_warn!(
                    "e{}.{}: still waiting for the network stack to release {held} transmissions\n",
                    entry.device.shelf,
                    entry.device.slot
                );
            }
        }
        // Under the lock the removals check under: none can miss this.
        if released {
            self.released.notify_all();
        }
    }

    /// Makes the disk of `device` with minors from `index`.
    fn make_disk(&self, device: Arc<AoeDevice>, index: usize) -> Result<DiskEntry> {
        let name = CString::try_from_fmt(fmt!("e{}.{}", device.shelf, device.slot))?;
        // As aoe.ko's: the kernel's messages say etherd/eS.N; sysfs makes the '/' a '!'.
        let disk_name = CString::try_from_fmt(fmt!("etherd/{}", &*name))?;
        let first_minor = minors::first_minor(index)
            .and_then(|minor| i32::try_from(minor).ok())
            .ok_or(ENOSPC)?;
        let capacity = device.capacity();
        let stats = KBox::pin_init(
            self.debugfs.subdir(&name).read_callback_file(
                c"stats",
                device.clone(),
                &|device: &Arc<AoeDevice>, f| device.write_stats(f),
            ),
            GFP_KERNEL,
        )?;
        let disk = MqDisk::new(
            &DiskConfig {
                name: &disk_name,
                major: self.major,
                first_minor,
                minors: minors::MINORS_PER_DISK as i32,
                hw_queues: HW_QUEUES,
                queue_depth: QUEUE_DEPTH,
                max_hw_sectors: MAX_HW_SECTORS,
                read_only: false,
                write_cache: true,
                groups: Some(sysfs::disk_groups()),
            },
            device,
        )?;
        disk.add(capacity)?;
        Ok(DiskEntry {
            disk,
            capacity,
            index,
            _stats: stats,
        })
    }

    /// The index of the minors of shelf.slot's disk, as `aoe_dyndevs` numbers them now.
    fn disk_index(disks: &[DiskEntry], shelf: u16, slot: u8) -> Result<usize> {
        minors::disk_index(params::numbering(), shelf, slot, |index| {
            disks.iter().any(|entry| entry.index == index)
        })
        .map_err(|err| {
            // `MinorError` is host-tested pure logic: `core::fmt::Display`, not the kernel's.
            pr_err!("e{shelf}.{slot}: {}\n", format_args!("{err}"));
            ENOSPC
        })
    }
}

/// A device's page pin summary, formatted as it is logged.
struct PinSummary<'a>(&'a AoeDevice);

impl core::fmt::Display for PinSummary<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        self.0.pin_summary(f)
    }
}

impl WorkRun for Disks {
    fn run(&self) {
        let pending = core::mem::take(&mut *self.pending.lock());
        let mut disks = self.disks.lock();
        for device in pending {
            if self.closing.load(Relaxed) {
                return;
            }
            let (shelf, slot) = (device.shelf, device.slot);
            // INVARIANT: Ticked before its disk is added: adding it reads the partition table
            // through the device, and a frame lost then must be resent, or the add never returns.
            let ticked = Ticked {
                device: device.clone(),
                ticks_since_removal: None,
            };
            let listed = {
                let mut tick_list = self.tick_list.lock();
                let mut devices = self.devices.lock();
                tick_list
                    .reserve(devices.len() + 1, GFP_KERNEL)
                    .and_then(|()| devices.push(ticked, GFP_KERNEL))
            };
            if listed.is_err() {
                pr_err!("e{shelf}.{slot}: out of memory for the device list\n");
                continue;
            }
            let made = Self::disk_index(&disks, shelf, slot)
                .and_then(|index| self.make_disk(device.clone(), index))
                .and_then(|entry| {
                    let sectors = entry.capacity;
                    disks.push(entry, GFP_KERNEL)?;
                    Ok(sectors)
                });
            match made {
                Ok(sectors) => {
                    pr_info!("e{shelf}.{slot}: disk etherd/e{shelf}.{slot}, {sectors} sectors\n");
                }
                Err(err) => {
                    // The disk, if it was made, is gone with its requests: stop ticking.
                    self.devices
                        .lock()
                        .retain(|ticked| !Arc::ptr_eq(&ticked.device, &device));
                    pr_err!("e{shelf}.{slot}: no disk: {err:?}\n");
                }
            }
        }
        // A revalidation may have changed a capacity.
        for entry in disks.iter_mut() {
            let capacity = entry.disk.queue().capacity();
            if capacity != entry.capacity {
                entry.disk.set_capacity(capacity);
                entry.capacity = capacity;
            }
        }
    }
}
