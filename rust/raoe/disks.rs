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
    discovery::Discovery,
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

/// The disks of the module's devices.
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
    /// The devices of the disks, ticked until their disk is gone and their requests ended.
    #[pin]
    devices: Mutex<KVec<Arc<AoeDevice>>>,
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
            closing: Atomic::new(false),
        })
    }

    /// Queues `device` for a disk; the caller schedules [`WorkRun::run`].
    pub(crate) fn add(&self, device: Arc<AoeDevice>) -> Result {
        self.pending.lock().push(device, GFP_ATOMIC)?;
        Ok(())
    }

    /// Removes the disks `request` names, as a write to `/dev/etherd/flush` asks, and makes
    /// `discovery` forget them. An open disk is never removed: named, it fails the write with
    /// `EBUSY` (aoe.ko removes it anyway, aoedev.c:254-402).
    pub(crate) fn flush(&self, request: FlushRequest<'_>, discovery: &Discovery) -> Result {
        let mut busy = false;
        let mut found = false;
        let mut removed = KVec::new();
        {
            let mut disks = self.disks.lock();
            // Reserved first: a removed entry must not be dropped under the lock.
            removed.reserve(disks.len(), GFP_KERNEL)?;
            let mut index = 0;
            while let Some(entry) = disks.get(index) {
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
                    let entry = disks.remove(index)?;
                    // Cannot fail: room for every entry was reserved above.
                    removed.push_within_capacity(entry).ok();
                }
            }
        }
        for entry in removed {
            let (shelf, slot) = (entry.disk.queue().shelf, entry.disk.queue().slot);
            self.remove(entry);
            discovery.forget(shelf, slot);
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
        let mut waited_ms = 0u32;
        while device.transmissions_held() != 0 {
            if waited_ms % 10_000 == 0 {
                pr_warn!(
                    "e{}.{}: waiting for the network stack to release {} transmissions\n",
                    device.shelf,
                    device.slot,
                    device.transmissions_held()
                );
            }
            kernel::time::delay::fsleep(Delta::from_millis(20));
            waited_ms += 20;
        }
        self.devices
            .lock()
            .retain(|ticked| !Arc::ptr_eq(ticked, &device));
        let mut summary = KVec::new();
        // A summary cut short by a failed allocation is still worth logging.
        device.pin_summary(&mut Utf8Sink(&mut summary)).ok();
        pr_info!(
            "e{}.{}: removed; {}\n",
            device.shelf,
            device.slot,
            kernel::str::BStr::from_bytes(&summary)
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

/// Collects formatted text into a byte vector.
struct Utf8Sink<'a>(&'a mut KVec<u8>);

impl core::fmt::Write for Utf8Sink<'_> {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        self.0
            .extend_from_slice(s.as_bytes(), GFP_KERNEL)
            .map_err(|_| core::fmt::Error)
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
            // Ticked before its disk is added: adding it reads the partition table through
            // the device, and a frame lost then must be resent, or the add never returns.
            if self
                .devices
                .lock()
                .push(device.clone(), GFP_KERNEL)
                .is_err()
            {
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
                        .retain(|ticked| !Arc::ptr_eq(ticked, &device));
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

/// Ticks every device: resends frames whose timeout passed and takes down devices whose
/// frames waited longer than `aoe_deadsecs`; resends unanswered IDENTIFY requests; broadcasts
/// a config query every minute.
pub(crate) struct Ticker {
    /// The registry whose devices are ticked.
    pub(crate) disks: Arc<Disks>,
    /// Sends the config queries.
    pub(crate) discovery: Arc<Discovery>,
    /// How long a frame may wait for its reply.
    pub(crate) dead: Delta,
    /// Ticks since the last config query.
    pub(crate) ticks: Atomic<u32>,
}

/// How often devices are ticked, as aoe.ko's timer (aoecmd.c, `HZ / 10`).
pub(crate) const TICK_MS: u32 = 100;

/// Ticks between config queries: one a minute, as aoe.ko (aoecmd.c:1657-1665).
const TICKS_PER_QUERY: u32 = 60_000 / TICK_MS;

impl WorkRun for Ticker {
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
            AoeDevice::tick(device, self.dead);
        }
        self.discovery.resend_identifies();
        if self.ticks.fetch_add(1, Relaxed) + 1 >= TICKS_PER_QUERY {
            self.ticks.store(0, Relaxed);
            if let Err(err) = self.discovery.broadcast_query() {
                pr_warn!("periodic config query failed: {err:?}\n");
            }
        }
    }
}
