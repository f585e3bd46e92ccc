// SPDX-License-Identifier: GPL-2.0

//! The block devices of identified targets: made visible in process context, removed at
//! unload while the receive path still runs, so their requests can end.

use crate::{
    blk::{
        DiskConfig,
        MqDisk, //
    },
    device::{
        AoeDevice,
        QUEUE_DEPTH, //
    },
    sysfs,
    work::DeferredRun,
};
use kernel::{
    prelude::*,
    str::CString,
    sync::{
        atomic::{
            Atomic,
            Relaxed, //
        },
        Arc,
        Mutex,
        SpinLockIrq, //
    },
    time::Delta,
};

/// Minors per device: the disk and 15 partitions, as aoe.ko (aoeblk.c).
const MINORS_PER_DEVICE: i32 = 16;

/// aoe.ko's default `aoe_maxsectors` (aoeblk.c:28-31).
const MAX_HW_SECTORS: u32 = 2560;

/// The disks of the module's devices.
#[pin_data]
pub(crate) struct Disks {
    /// The block major number.
    major: u32,
    /// Devices identified in softirq context, waiting for their disk.
    #[pin]
    pending: SpinLockIrq<KVec<Arc<AoeDevice>>>,
    /// The visible disks.
    #[pin]
    disks: Mutex<KVec<MqDisk<AoeDevice>>>,
    /// The devices of the disks, ticked until their disk is gone and their requests ended.
    #[pin]
    devices: Mutex<KVec<Arc<AoeDevice>>>,
    /// Set at unload: no more disks are made.
    closing: Atomic<bool>,
}

impl Disks {
    /// Creates an empty registry for disks of block major `major`.
    pub(crate) fn new(major: u32) -> impl PinInit<Self> {
        pin_init!(Self {
            major,
            pending <- kernel::new_spinlock_irq!(KVec::new(), "Disks::pending"),
            disks <- kernel::new_mutex!(KVec::new(), "Disks::disks"),
            devices <- kernel::new_mutex!(KVec::new(), "Disks::devices"),
            closing: Atomic::new(false),
        })
    }

    /// Queues `device` for a disk; the caller schedules [`DeferredRun::run`].
    pub(crate) fn add(&self, device: Arc<AoeDevice>) -> Result {
        self.pending.lock().push(device, GFP_ATOMIC)?;
        Ok(())
    }

    /// Removes every disk, waiting for their requests; no disk is made after this.
    pub(crate) fn close(&self) {
        self.closing.store(true, Relaxed);
        let removed = core::mem::take(&mut *self.disks.lock());
        for disk in removed {
            let device = disk.queue().clone();
            // Removing the disk waits for every request, and so for every frame's release;
            // the device is still ticked meanwhile, so lost frames are resent.
            drop(disk);
            self.devices
                .lock()
                .retain(|ticked| !Arc::ptr_eq(ticked, &device));
            pr_info!(
                "e{}.{}: removed; pins taken {}, released {}, pages copied {}, requests that waited for a release {}, retransmits {}\n",
                device.shelf,
                device.slot,
                device.pins.taken.load(Relaxed),
                device.pins.released.load(Relaxed),
                device.pins.copied.load(Relaxed),
                device.waited_for_release.load(Relaxed),
                device.retransmits.load(Relaxed)
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
    }

    /// Makes the disk of `device`, the `index`-th of this module.
    fn make_disk(&self, device: Arc<AoeDevice>, index: usize) -> Result<MqDisk<AoeDevice>> {
        let name = CString::try_from_fmt(fmt!("etherd!e{}.{}", device.shelf, device.slot))?;
        let first_minor = i32::try_from(index)
            .ok()
            .and_then(|index| index.checked_mul(MINORS_PER_DEVICE))
            .ok_or(ENOSPC)?;
        let capacity = device.identity.sectors;
        let disk = MqDisk::new(
            &DiskConfig {
                name: &name,
                major: self.major,
                first_minor,
                minors: MINORS_PER_DEVICE,
                hw_queues: 1,
                queue_depth: QUEUE_DEPTH,
                max_hw_sectors: MAX_HW_SECTORS,
                read_only: false,
                groups: Some(sysfs::disk_groups()),
            },
            device,
        )?;
        disk.add(capacity)?;
        Ok(disk)
    }
}

impl DeferredRun for Disks {
    fn run(&self) {
        let pending = core::mem::take(&mut *self.pending.lock());
        let mut disks = self.disks.lock();
        for device in pending {
            if self.closing.load(Relaxed) {
                return;
            }
            let (shelf, slot) = (device.shelf, device.slot);
            match self.make_disk(device, disks.len()) {
                Ok(disk) => {
                    let sectors = disk.queue().identity.sectors;
                    if self
                        .devices
                        .lock()
                        .push(disk.queue().clone(), GFP_KERNEL)
                        .is_err()
                    {
                        pr_err!("e{shelf}.{slot}: out of memory for the device list\n");
                        continue;
                    }
                    if disks.push(disk, GFP_KERNEL).is_err() {
                        pr_err!("e{shelf}.{slot}: out of memory for the disk list\n");
                        continue;
                    }
                    pr_info!("e{shelf}.{slot}: disk etherd/e{shelf}.{slot}, {sectors} sectors\n");
                }
                Err(err) => pr_err!("e{shelf}.{slot}: no disk: {err:?}\n"),
            }
        }
    }
}

/// Ticks every device: resends frames whose timeout passed and fails those older than
/// `aoe_deadsecs`.
pub(crate) struct Ticker {
    /// The registry whose devices are ticked.
    pub(crate) disks: Arc<Disks>,
    /// How long a frame may wait for its reply.
    pub(crate) dead: Delta,
}

/// How often devices are ticked, as aoe.ko's timer (aoecmd.c, `HZ / 10`).
pub(crate) const TICK_MS: u32 = 100;

impl DeferredRun for Ticker {
    fn run(&self) {
        let devices = {
            let devices = self.disks.devices.lock();
            let mut copy = KVec::with_capacity(devices.len(), GFP_KERNEL);
            if let Ok(copy) = copy.as_mut() {
                for device in devices.iter() {
                    copy.push(device.clone(), GFP_KERNEL).ok();
                }
            }
            copy
        };
        for device in devices.iter().flatten() {
            device.tick(self.dead);
        }
    }
}
