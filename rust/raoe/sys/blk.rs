// SPDX-License-Identifier: GPL-2.0

//! A blk-mq disk driven from Rust and the requests it receives, over `blk.c`.
//!
//! 7.3's `kernel::block::mq` cannot end a request with an error, reach its sectors or data,
//! set the major, minors, read-only state and write cache a driver like aoe needs, or answer
//! `HDIO_GET_IDENTITY`.
//!
//! C headers: [`include/linux/blk-mq.h`](srctree/include/linux/blk-mq.h),
//! [`include/linux/blkdev.h`](srctree/include/linux/blkdev.h).

use super::pages::{
    Frag,
    PinnedFrags,
    MAX_FRAGS, //
};
use crate::logic::identify::IDENTIFY_LEN;

// The identity callback writes `IDENTIFY_LEN` bytes into `blk.c`'s buffer.
const _: () = assert!(IDENTIFY_LEN == crate::sys::shims::RAOE_IDENTIFY_LEN as usize);
use core::{
    mem::ManuallyDrop,
    ptr::NonNull, //
};
use kernel::{
    ffi::{
        c_int,
        c_uint,
        c_void, //
    },
    prelude::*,
    sync::{
        Arc,
        ArcBorrow, //
    },
    types::ForeignOwnable,
};

/// The shim's declarations under the names this file uses.
mod glue {
    pub(super) use crate::sys::shims::{
        raoe_frag_copy_in,
        raoe_mq_disk as RawMqDisk,
        raoe_mq_disk_add,
        raoe_mq_disk_alloc,
        raoe_mq_disk_close_unless_open,
        raoe_mq_disk_config as RawDiskConfig,
        raoe_mq_disk_free,
        raoe_mq_disk_ops as RawDiskOps,
        raoe_mq_disk_set_capacity,
        raoe_register_blkdev,
        raoe_rq_bytes,
        raoe_rq_end,
        raoe_rq_frags,
        raoe_rq_op,
        raoe_rq_pos,
        raoe_rq_start,
        raoe_unregister_blkdev,
        request as Request,
        RAOE_RQ_FLUSH,
        RAOE_RQ_READ,
        RAOE_RQ_WRITE, //
    };
}

/// A block major number registered under a name; unregistered on drop.
pub(crate) struct Major {
    major: u32,
    name: &'static CStr,
}

impl Major {
    /// Registers `major` as `name`; fails with `EBUSY` when another driver has it.
    pub(crate) fn register(major: u32, name: &'static CStr) -> Result<Self> {
        // SAFETY: `name` is a NUL-terminated string that lives forever.
        let ret = unsafe { glue::raoe_register_blkdev(major, name.as_char_ptr()) };
        if ret < 0 {
            return Err(Error::from_errno(ret));
        }
        Ok(Self { major, name })
    }

    /// The major number.
    pub(crate) fn number(&self) -> u32 {
        self.major
    }
}

impl Drop for Major {
    fn drop(&mut self) {
        // SAFETY: The major was registered under this name by `register`.
        unsafe { glue::raoe_unregister_blkdev(self.major, self.name.as_char_ptr()) };
    }
}

/// What a request asks for.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Op {
    /// Read data.
    Read,
    /// Write data.
    Write,
    /// Flush the volatile write cache.
    Flush,
    /// Anything else (discard, write zeroes, ...).
    Other,
}

/// A started request the driver owns: it ends exactly once, with [`Request::end`] or, if the
/// driver drops it, with an I/O error.
///
/// # Invariants
///
/// `raw` is a started request that has not been ended.
pub(crate) struct Request {
    raw: NonNull<glue::Request>,
}

// SAFETY: A started request may be ended from any context and thread.
unsafe impl Send for Request {}

impl Request {
    /// The first sector.
    pub(crate) fn sector(&self) -> u64 {
        // SAFETY: By the type invariant `raw` is a live request.
        unsafe { glue::raoe_rq_pos(self.raw.as_ptr()) }
    }

    /// The data length in bytes.
    pub(crate) fn bytes(&self) -> u32 {
        // SAFETY: By the type invariant `raw` is a live request.
        unsafe { glue::raoe_rq_bytes(self.raw.as_ptr()) }
    }

    /// What the request asks for.
    pub(crate) fn op(&self) -> Op {
        // SAFETY: By the type invariant `raw` is a live request.
        match unsafe { glue::raoe_rq_op(self.raw.as_ptr()) } {
            glue::RAOE_RQ_READ => Op::Read,
            glue::RAOE_RQ_WRITE => Op::Write,
            glue::RAOE_RQ_FLUSH => Op::Flush,
            _ => Op::Other,
        }
    }

    /// Copies `data` into the request's buffers from byte `offset` on; fails, copying
    /// nothing, if the request does not have `data.len()` bytes there.
    pub(crate) fn copy_in(&self, offset: u32, data: &[u8]) -> Result {
        let len = u32::try_from(data.len()).map_err(|_| EINVAL)?;
        let mut frags = [Frag::EMPTY; MAX_FRAGS];
        let count = self.frags(offset, len, &mut frags)?;
        let mut rest = data;
        for frag in frags.iter().take(count) {
            let (piece, tail) = rest.split_at_checked(frag.len()).ok_or(EINVAL)?;
            // SAFETY: `frag` names a piece of this live request's pages, which the request
            // lets the driver write, and `piece` has exactly `frag.len()` readable bytes.
            unsafe { glue::raoe_frag_copy_in(frag.as_raw(), piece.as_ptr().cast()) };
            rest = tail;
        }
        Ok(())
    }

    /// Takes a reference on each page holding bytes `[offset, offset + len)` of the request,
    /// for a frame that may be sent after the request ended.
    pub(crate) fn pin_frags(&self, offset: u32, len: u32) -> Result<PinnedFrags> {
        let mut frags = [Frag::EMPTY; MAX_FRAGS];
        let count = self.frags(offset, len, &mut frags)?;
        let frags = frags.get(..count).ok_or(EINVAL)?;
        // SAFETY: `frags` name pages of this request, which by the type invariant has not
        // ended, so they are valid for the call.
        unsafe { PinnedFrags::pin(frags) }
    }

    /// Fills `out` with the page pieces holding bytes `[offset, offset + len)` of the request
    /// and returns how many there are. They stay valid while the request is not ended.
    fn frags(&self, offset: u32, len: u32, out: &mut [Frag; MAX_FRAGS]) -> Result<usize> {
        let max = c_uint::try_from(MAX_FRAGS).map_err(|_| EINVAL)?;
        // SAFETY: By the type invariant `raw` is live; `out` has room for `max` entries.
        let ret = unsafe {
            glue::raoe_rq_frags(self.raw.as_ptr(), offset, len, Frag::raw_slice(out), max)
        };
        usize::try_from(ret).map_err(|_| Error::from_errno(ret))
    }

    /// Ends the request with `result`.
    pub(crate) fn end(self, result: Result) {
        let this = ManuallyDrop::new(self);
        let err = result.err().map_or(0, |err| err.to_errno());
        // SAFETY: By the type invariant the request is started and not yet ended; `this` is
        // not dropped, so it is not ended again.
        unsafe { glue::raoe_rq_end(this.raw.as_ptr(), err) };
    }
}

impl Drop for Request {
    fn drop(&mut self) {
        // SAFETY: By the type invariant the request has not been ended; a request the driver
        // lets go must still end, or the queue hangs.
        unsafe { glue::raoe_rq_end(self.raw.as_ptr(), EIO.to_errno()) };
    }
}

/// What a [`MqDisk`] asks of its driver.
pub(crate) trait DiskOps: Send + Sync + 'static {
    /// Takes a started request; it may end it at once or later, from any context.
    fn queue_rq(this: ArcBorrow<'_, Self>, rq: Request)
    where
        Self: Sized;

    /// Whether the disk may be opened now.
    fn open(&self) -> Result;

    /// The ATA IDENTIFY data `HDIO_GET_IDENTITY` returns.
    fn identity(&self) -> Result<[u8; IDENTIFY_LEN]>;

    /// The cylinders, heads and sectors per track `HDIO_GETGEO` returns.
    fn geometry(&self) -> Result<(u16, u8, u8)>;
}

/// A NULL-terminated array of `struct attribute_group` pointers, defined in C.
#[repr(C)]
pub(crate) struct AttributeGroups {
    _private: [u8; 0],
}

/// The shape of a disk.
pub(crate) struct DiskConfig<'a> {
    /// The disk name; `!` becomes `/` under `/dev`.
    pub(crate) name: &'a CStr,
    /// The block major number.
    pub(crate) major: u32,
    /// The first minor number.
    pub(crate) first_minor: i32,
    /// Minors reserved for the disk and its partitions.
    pub(crate) minors: i32,
    /// The number of hardware queues.
    pub(crate) hw_queues: u32,
    /// Requests per hardware queue.
    pub(crate) queue_depth: u32,
    /// The largest request in sectors.
    pub(crate) max_hw_sectors: u32,
    /// Whether writes are refused.
    pub(crate) read_only: bool,
    /// Whether a volatile write cache is advertised, so flushes (`Op::Flush`) arrive.
    pub(crate) write_cache: bool,
    /// The disk's sysfs attributes; the groups must live as long as the module.
    pub(crate) groups: Option<&'static AttributeGroups>,
}

/// A blk-mq disk whose requests go to a [`DiskOps`]; dropping it removes the disk, after all
/// its requests have ended.
///
/// # Invariants
///
/// `ctx` is a reference of `queue` made foreign ([`ForeignOwnable::into_foreign`]) and taken
/// back only by `drop`. `raw` was returned by `raoe_mq_disk_alloc` with `ctx` as context and is
/// freed only by `drop`, before `ctx` is taken back.
pub(crate) struct MqDisk<T: DiskOps> {
    raw: NonNull<glue::RawMqDisk>,
    ctx: *mut c_void,
    queue: Arc<T>,
}

// SAFETY: The disk may be added and freed from any process context; `T` is `Send + Sync`.
unsafe impl<T: DiskOps> Send for MqDisk<T> {}
// SAFETY: `&MqDisk` gives access to nothing but the `Sync` queue.
unsafe impl<T: DiskOps> Sync for MqDisk<T> {}

impl<T: DiskOps> MqDisk<T> {
    /// Allocates a disk (not yet visible) whose requests go to `queue`.
    pub(crate) fn new(config: &DiskConfig<'_>, queue: Arc<T>) -> Result<Self> {
        let raw_config = glue::RawDiskConfig {
            name: config.name.as_char_ptr(),
            major: config.major,
            first_minor: config.first_minor,
            minors: config.minors,
            nr_hw_queues: config.hw_queues,
            queue_depth: config.queue_depth,
            max_hw_sectors: config.max_hw_sectors,
            read_only: config.read_only,
            write_cache: config.write_cache,
            groups: config.groups.map_or(core::ptr::null_mut(), |groups| {
                core::ptr::from_ref(groups).cast_mut().cast()
            }),
        };
        let ctx = queue.clone().into_foreign();
        // SAFETY: `raw_config` is valid for the call (the name is copied); `OPS` is static and
        // its callbacks borrow `ctx` as an `Arc<T>`, which the returned value keeps until the
        // disk is freed.
        let raw = unsafe { glue::raoe_mq_disk_alloc(&raw_config, &Self::OPS, ctx) };
        // `blk.c` returns an `ERR_PTR` on failure.
        let raw = match kernel::error::from_err_ptr(raw)
            .and_then(|raw| NonNull::new(raw).ok_or(ENOMEM))
        {
            Ok(raw) => raw,
            Err(err) => {
                // SAFETY: `ctx` came from `into_foreign` above and no disk uses it.
                drop(unsafe { Arc::<T>::from_foreign(ctx) });
                return Err(err);
            }
        };
        // INVARIANT: `raw` is a fresh disk with the foreign `ctx` as context.
        Ok(Self { raw, ctx, queue })
    }

    /// The callbacks `blk.c` calls.
    const OPS: glue::RawDiskOps = glue::RawDiskOps {
        queue_rq: Some(Self::queue_rq),
        open: Some(Self::open),
        identity: Some(Self::identity),
        geometry: Some(Self::geometry),
    };

    /// The `queue_rq` callback.
    ///
    /// # Safety
    ///
    /// `ctx` is the context given at allocation and `rq` a request of this disk's queue that
    /// the block layer hands over.
    unsafe extern "C" fn queue_rq(ctx: *mut c_void, rq: *mut glue::Request) -> c_int {
        // SAFETY: By the type invariant `ctx` is a foreign `Arc<T>`, taken back only after the
        // disk, which drains its requests first, is freed.
        let queue = unsafe { <Arc<T> as ForeignOwnable>::borrow(ctx) };
        let Some(raw) = NonNull::new(rq) else {
            return EINVAL.to_errno();
        };
        // SAFETY: The block layer hands `rq` over to the driver here.
        unsafe { glue::raoe_rq_start(raw.as_ptr()) };
        // INVARIANT: `raw` is started and not ended; `Request` ends it exactly once.
        T::queue_rq(queue, Request { raw });
        0
    }

    /// The `open` callback.
    ///
    /// # Safety
    ///
    /// `ctx` is the context given at allocation.
    unsafe extern "C" fn open(ctx: *mut c_void) -> c_int {
        // SAFETY: By the type invariant `ctx` is a foreign `Arc<T>`, taken back only after the
        // disk is freed.
        let queue = unsafe { <Arc<T> as ForeignOwnable>::borrow(ctx) };
        queue.open().err().map_or(0, |err| err.to_errno())
    }

    /// The `HDIO_GET_IDENTITY` callback.
    ///
    /// # Safety
    ///
    /// `ctx` is the context given at allocation and `id` points to `IDENTIFY_LEN` writable bytes.
    unsafe extern "C" fn identity(ctx: *mut c_void, id: *mut u8) -> c_int {
        // SAFETY: By the type invariant `ctx` is a foreign `Arc<T>`, taken back only after the
        // disk is freed.
        let queue = unsafe { <Arc<T> as ForeignOwnable>::borrow(ctx) };
        match queue.identity() {
            // SAFETY: The caller guarantees `IDENTIFY_LEN` writable bytes at `id`.
            Ok(data) => unsafe { core::ptr::write(id.cast::<[u8; IDENTIFY_LEN]>(), data) },
            Err(err) => return err.to_errno(),
        }
        0
    }

    /// The `HDIO_GETGEO` callback.
    ///
    /// # Safety
    ///
    /// `ctx` is the context given at allocation; the other pointers are writable.
    unsafe extern "C" fn geometry(
        ctx: *mut c_void,
        cylinders: *mut u16,
        heads: *mut u8,
        sectors: *mut u8,
    ) -> c_int {
        // SAFETY: By the type invariant `ctx` is a foreign `Arc<T>`, taken back only after the
        // disk is freed.
        let queue = unsafe { <Arc<T> as ForeignOwnable>::borrow(ctx) };
        match queue.geometry() {
            Ok((c, h, s)) => {
                // SAFETY: The caller guarantees the three pointers are writable.
                unsafe {
                    cylinders.write(c);
                    heads.write(h);
                    sectors.write(s);
                }
                0
            }
            Err(err) => err.to_errno(),
        }
    }

    /// Sets the capacity of a visible disk and tells user space.
    pub(crate) fn set_capacity(&self, capacity: u64) {
        // SAFETY: By the type invariant `raw` is a live disk.
        unsafe { glue::raoe_mq_disk_set_capacity(self.raw.as_ptr(), capacity) };
    }

    /// Refuses every later open, so the disk can be removed; fails with `EBUSY`, changing
    /// nothing, if it is open now.
    pub(crate) fn close_unless_open(&self) -> Result {
        // SAFETY: By the type invariant `raw` is a live disk.
        let ret = unsafe { glue::raoe_mq_disk_close_unless_open(self.raw.as_ptr()) };
        kernel::error::to_result(ret)
    }

    /// Makes the disk visible with `capacity` sectors.
    pub(crate) fn add(&self, capacity: u64) -> Result {
        // SAFETY: By the type invariant `raw` is a live disk.
        let ret = unsafe { glue::raoe_mq_disk_add(self.raw.as_ptr(), capacity) };
        if ret < 0 {
            return Err(Error::from_errno(ret));
        }
        Ok(())
    }

    /// The queue the disk's requests go to.
    pub(crate) fn queue(&self) -> &Arc<T> {
        &self.queue
    }
}

impl<T: DiskOps> Drop for MqDisk<T> {
    fn drop(&mut self) {
        // SAFETY: By the type invariant `raw` is live; freeing it drains its requests first.
        unsafe { glue::raoe_mq_disk_free(self.raw.as_ptr()) };
        // SAFETY: By the type invariant `ctx` came from `into_foreign` and is taken back only
        // here, once no callback can borrow it.
        drop(unsafe { Arc::<T>::from_foreign(self.ctx) });
    }
}
