// SPDX-License-Identifier: GPL-2.0

//! A bio-based disk driven from Rust and the bios it receives, over `bio_disk.c`.
//!
//! 7.3's `kernel::block` only builds blk-mq disks: no `submit_bio`, no bio data access, no
//! stable-writes or discard limits, no `swap_slot_free_notify`, no capacity change after adding.
//!
//! C headers: [`include/linux/blkdev.h`](srctree/include/linux/blkdev.h),
//! [`include/linux/bio.h`](srctree/include/linux/bio.h).

use super::shims::{
    bio as RawBio,
    rzram_bio_disk_add,
    rzram_bio_disk_alloc,
    rzram_bio_disk_claim,
    rzram_bio_disk_ctx,
    rzram_bio_disk_free,
    rzram_bio_disk_ops as RawOps,
    rzram_bio_disk_release,
    rzram_bio_disk_set_capacity,
    rzram_bio_disk_sync,
    rzram_bio_end,
    rzram_bio_iter as RawIter,
    rzram_bio_iter_next,
    rzram_bio_iter_start,
    rzram_bio_mapped_copy,
    rzram_bio_mapped_fill,
    rzram_bio_op,
    rzram_bio_seg as RawSeg,
    rzram_bio_seg_map,
    rzram_bio_seg_read,
    rzram_bio_seg_unmap,
    rzram_bio_seg_write,
    RZRAM_BIO_DISCARD,
    RZRAM_BIO_READ,
    RZRAM_BIO_WRITE,
    RZRAM_BIO_WRITE_ZEROES, //
};
use core::{
    marker::PhantomData,
    mem::ManuallyDrop,
    ptr::NonNull, //
};
use kernel::{
    ffi::{
        c_ulong,
        c_void, //
    },
    prelude::*,
    sync::{
        Arc,
        ArcBorrow, //
    },
    types::ForeignOwnable,
};

/// `struct rzram_bio_disk`, only ever behind a pointer.
pub(crate) use super::shims::rzram_bio_disk as RawDisk;

/// A NULL-terminated array of `struct attribute_group` pointers, defined in C.
#[repr(C)]
pub(crate) struct AttributeGroups {
    _private: [u8; 0],
}

/// What a bio asks for.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Op {
    /// Read data.
    Read,
    /// Write data.
    Write,
    /// Forget the data of a range.
    Discard,
    /// Make a range read as zeros.
    WriteZeroes,
    /// Anything else (flush, ...).
    Other,
}

/// A bio the driver owns: it ends exactly once, with [`Bio::end`] or, if the driver drops it,
/// with an I/O error.
///
/// # Invariants
///
/// `raw` is a bio handed to `submit_bio` that has not been ended.
pub(crate) struct Bio {
    raw: NonNull<RawBio>,
}

impl Bio {
    /// What the bio asks for.
    pub(crate) fn op(&self) -> Op {
        // SAFETY: By the type invariant `raw` is a live bio.
        match unsafe { rzram_bio_op(self.raw.as_ptr()) } {
            RZRAM_BIO_READ => Op::Read,
            RZRAM_BIO_WRITE => Op::Write,
            RZRAM_BIO_DISCARD => Op::Discard,
            RZRAM_BIO_WRITE_ZEROES => Op::WriteZeroes,
            _ => Op::Other,
        }
    }

    fn start(&self) -> RawIter {
        let mut iter = RawIter {
            sector: 0,
            size: 0,
            idx: 0,
            offset: 0,
        };
        // SAFETY: By the type invariant `raw` is live; `iter` is writable.
        unsafe { rzram_bio_iter_start(self.raw.as_ptr(), &mut iter) };
        iter
    }

    /// The first sector and the length in bytes.
    pub(crate) fn range(&self) -> (u64, u32) {
        let iter = self.start();
        (iter.sector, iter.size)
    }

    /// The bio's data, in pieces that cross no page boundary in memory nor on the disk (none
    /// for bios without data, such as discards).
    pub(crate) fn segments(&self) -> Segments<'_> {
        Segments {
            bio: self,
            iter: self.start(),
        }
    }

    /// Ends the bio with `result`.
    pub(crate) fn end(self, result: Result) {
        let this = ManuallyDrop::new(self);
        let err = result.err().map_or(0, |err| err.to_errno());
        // SAFETY: By the type invariant the bio has not been ended; `this` is not dropped, so
        // it is not ended again.
        unsafe { rzram_bio_end(this.raw.as_ptr(), err) };
    }
}

impl Drop for Bio {
    fn drop(&mut self) {
        // SAFETY: By the type invariant the bio has not been ended; a bio the driver lets go
        // must still end, or its submitter waits forever.
        unsafe { rzram_bio_end(self.raw.as_ptr(), EIO.to_errno()) };
    }
}

/// The pieces of a bio's data, see [`Bio::segments`].
pub(crate) struct Segments<'a> {
    bio: &'a Bio,
    iter: RawIter,
}

impl<'a> Iterator for Segments<'a> {
    type Item = Segment<'a>;

    fn next(&mut self) -> Option<Segment<'a>> {
        let mut raw = RawSeg {
            page: core::ptr::null_mut(),
            offset: 0,
            len: 0,
            sector: 0,
        };
        // SAFETY: By the type invariant of `Bio` the bio is live; `iter` was started on it and
        // `raw` is writable.
        let more = unsafe { rzram_bio_iter_next(self.bio.raw.as_ptr(), &mut self.iter, &mut raw) };
        more.then_some(Segment {
            raw,
            _bio: PhantomData,
        })
    }
}

/// One piece of a bio's data within one page, valid while the bio is.
pub(crate) struct Segment<'a> {
    raw: RawSeg,
    _bio: PhantomData<&'a Bio>,
}

impl Segment<'_> {
    /// The disk sector the piece starts at.
    pub(crate) fn sector(&self) -> u64 {
        self.raw.sector
    }

    /// The length in bytes.
    pub(crate) fn len(&self) -> usize {
        self.raw.len as usize
    }

    /// Copies the piece's bytes into the start of `dst`; `EINVAL` if `dst` is shorter.
    pub(crate) fn read_into(&self, dst: &mut [u8]) -> Result {
        if dst.len() < self.len() {
            return Err(EINVAL);
        }
        // SAFETY: The piece lies within one page the live bio holds, and `dst` has room for
        // it.
        unsafe { rzram_bio_seg_read(&self.raw, dst.as_mut_ptr().cast()) };
        Ok(())
    }

    /// Copies the start of `src` into the piece; `EINVAL` if `src` is shorter.
    pub(crate) fn write_from(&self, src: &[u8]) -> Result {
        if src.len() < self.len() {
            return Err(EINVAL);
        }
        // SAFETY: The piece lies within one page the live bio holds, and `src` has as many
        // bytes.
        unsafe { rzram_bio_seg_write(&self.raw, src.as_ptr().cast()) };
        Ok(())
    }
}

impl Segment<'_> {
    /// Calls `f` with the piece mapped, to fill it in place.
    pub(crate) fn with_mapping<R>(&self, f: impl FnOnce(&mut MappedSegment<'_>) -> R) -> R {
        // SAFETY: The piece lies within one page the live bio holds.
        let addr = unsafe { rzram_bio_seg_map(&self.raw) };
        // INVARIANT: The mapping covers the piece until it is unmapped below, after `f`.
        let mut mapped = MappedSegment {
            addr,
            len: self.raw.len,
            _segment: PhantomData,
        };
        let result = f(&mut mapped);
        // SAFETY: Unmaps the mapping made above; any mapping `f` made, it has undone.
        unsafe { rzram_bio_seg_unmap(&self.raw, addr) };
        result
    }
}

/// A piece of a bio's data, mapped, that only C code reads or writes: others may use the
/// page meanwhile (user space, with direct I/O), so Rust never holds a reference to it.
///
/// # Invariants
///
/// `addr` is the start of `len` mapped, writable bytes while the value lives.
pub(crate) struct MappedSegment<'a> {
    addr: *mut c_void,
    len: u32,
    _segment: PhantomData<&'a Segment<'a>>,
}

impl MappedSegment<'_> {
    /// The length in bytes.
    pub(crate) fn len(&self) -> usize {
        self.len as usize
    }

    /// The address and length, for a C function that writes the piece.
    pub(crate) fn as_raw(&mut self) -> (*mut c_void, u32) {
        (self.addr, self.len)
    }

    /// Fills the piece with `word`, repeated; `EINVAL` unless it is a whole number of words.
    pub(crate) fn fill(&mut self, word: u64) -> Result {
        if self.len() % core::mem::size_of::<u64>() != 0 {
            return Err(EINVAL);
        }
        // SAFETY: By the type invariant `len` bytes at `addr` are writable; `len` is a whole
        // number of words.
        unsafe { rzram_bio_mapped_fill(self.addr, word, self.len) };
        Ok(())
    }

    /// Copies the start of `src` into the piece; `EINVAL` if `src` is shorter.
    pub(crate) fn copy_from(&mut self, src: &[u8]) -> Result {
        if src.len() < self.len() {
            return Err(EINVAL);
        }
        // SAFETY: By the type invariant `len` bytes at `addr` are writable, and `src` has as
        // many.
        unsafe { rzram_bio_mapped_copy(self.addr, src.as_ptr().cast(), self.len) };
        Ok(())
    }
}

/// What a [`BioDisk`] calls.
pub(crate) trait BioOps: Send + Sync + 'static {
    /// Takes a bio of the disk; may sleep.
    fn submit_bio(&self, bio: Bio);

    /// Swap no longer uses the page at `index`; called under a spinlock, must not sleep.
    fn swap_slot_free_notify(&self, index: u64);
}

/// Operations on a live disk, from its owner or from one of its sysfs callbacks.
///
/// # Invariants
///
/// `raw` is a live disk allocated by [`BioDisk<T>`] for as long as `'a`.
pub(crate) struct DiskRef<'a, T: BioOps> {
    raw: NonNull<RawDisk>,
    _ctx: PhantomData<&'a T>,
}

impl<'a, T: BioOps> DiskRef<'a, T> {
    /// The disk behind a `struct rzram_bio_disk` pointer that C passes to a sysfs callback.
    ///
    /// # Safety
    ///
    /// `raw` is a disk allocated by a [`BioDisk<T>`] whose sysfs callback is running for all
    /// of `'a` (removing the disk waits for it).
    pub(crate) unsafe fn from_raw(raw: *mut RawDisk) -> Option<Self> {
        // INVARIANT: The caller guarantees the disk lives for `'a`.
        NonNull::new(raw).map(|raw| Self {
            raw,
            _ctx: PhantomData,
        })
    }

    /// What the disk calls.
    pub(crate) fn ops(&self) -> ArcBorrow<'a, T> {
        // SAFETY: By the type invariant `raw` is live.
        let ctx = unsafe { rzram_bio_disk_ctx(self.raw.as_ptr()) };
        // SAFETY: By the invariant of `BioDisk` the context of a live disk is a foreign
        // `Arc<T>`, released only after the disk is freed, so after `'a`.
        unsafe { <Arc<T> as ForeignOwnable>::borrow(ctx) }
    }

    /// Refuses opens until [`DiskRef::release`]; fails with `EBUSY` when the disk is open or
    /// already claimed.
    pub(crate) fn claim(&self) -> Result {
        // SAFETY: By the type invariant `raw` is live.
        kernel::error::to_result(unsafe { rzram_bio_disk_claim(self.raw.as_ptr()) })
    }

    /// Allows opens again after [`DiskRef::claim`].
    pub(crate) fn release(&self) {
        // SAFETY: By the type invariant `raw` is live.
        unsafe { rzram_bio_disk_release(self.raw.as_ptr()) };
    }

    /// Writes back the disk's dirty page cache and waits for it.
    pub(crate) fn sync(&self) {
        // SAFETY: By the type invariant `raw` is live.
        unsafe { rzram_bio_disk_sync(self.raw.as_ptr()) };
    }

    /// Sets the capacity and tells user space.
    pub(crate) fn set_capacity(&self, sectors: u64) {
        // SAFETY: By the type invariant `raw` is live.
        unsafe { rzram_bio_disk_set_capacity(self.raw.as_ptr(), sectors) };
    }
}

/// A bio-based disk of 4 KiB logical and page-sized physical blocks with stable writes,
/// synchronous I/O, discard and write-zeroes, whose bios go to a [`BioOps`]; dropping it removes
/// the disk after its bios in flight and sysfs callbacks have finished.
///
/// # Invariants
///
/// `ctx` is an `Arc<T>` made foreign ([`ForeignOwnable::into_foreign`]) and taken back only by
/// `drop`. `raw` was returned by `rzram_bio_disk_alloc` with `RAW_OPS` of `T` and `ctx` as
/// context, and is freed only by `drop`, before `ctx` is taken back.
pub(crate) struct BioDisk<T: BioOps> {
    raw: NonNull<RawDisk>,
    ctx: *mut c_void,
    _ops: PhantomData<Arc<T>>,
}

// SAFETY: The disk may be added and freed from any process context; `T` is `Send + Sync`.
unsafe impl<T: BioOps> Send for BioDisk<T> {}
// SAFETY: `&BioDisk` allows operations that the block layer serialises itself.
unsafe impl<T: BioOps> Sync for BioDisk<T> {}

impl<T: BioOps> BioDisk<T> {
    const RAW_OPS: &'static RawOps = &RawOps {
        submit_bio: Some(Self::submit_bio),
        swap_slot_free_notify: Some(Self::swap_slot_free_notify),
    };

    /// Allocates a disk named `name` (not yet visible, capacity 0) whose bios go to `ops`.
    pub(crate) fn new(
        name: &CStr,
        ops: Arc<T>,
        groups: Option<&'static AttributeGroups>,
    ) -> Result<Self> {
        let ctx = ops.into_foreign();
        let groups = groups.map_or(core::ptr::null_mut(), |groups| {
            core::ptr::from_ref(groups).cast_mut().cast()
        });
        // SAFETY: The name is copied; `RAW_OPS` is static; its callbacks borrow `ctx` as an
        // `Arc<T>`, which the returned value keeps until the disk is freed; `groups` is null or
        // a static NULL-terminated array.
        let raw = unsafe { rzram_bio_disk_alloc(name.as_char_ptr(), Self::RAW_OPS, ctx, groups) };
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
        // INVARIANT: `raw` is fresh, with the foreign `ctx` as context.
        Ok(Self {
            raw,
            ctx,
            _ops: PhantomData,
        })
    }

    /// Makes the disk visible.
    pub(crate) fn add(&self) -> Result {
        // SAFETY: By the type invariant `raw` is a live disk.
        kernel::error::to_result(unsafe { rzram_bio_disk_add(self.raw.as_ptr()) })
    }

    /// Operations on the disk.
    pub(crate) fn as_ref(&self) -> DiskRef<'_, T> {
        // INVARIANT: `raw` lives as long as `self`.
        DiskRef {
            raw: self.raw,
            _ctx: PhantomData,
        }
    }

    /// The `submit_bio` callback.
    ///
    /// # Safety
    ///
    /// `ctx` is the context given at allocation and `bio` a bio of this disk handed over.
    unsafe extern "C" fn submit_bio(ctx: *mut c_void, bio: *mut RawBio) {
        // SAFETY: By the type invariant the disk's context is a foreign `Arc<T>`, taken back
        // only after the disk, and so its callbacks, are gone.
        let ops = unsafe { <Arc<T> as ForeignOwnable>::borrow(ctx) };
        if let Some(raw) = NonNull::new(bio) {
            // INVARIANT: The block layer hands `raw` over, not yet ended.
            ops.submit_bio(Bio { raw });
        }
    }

    /// The `swap_slot_free_notify` callback.
    ///
    /// # Safety
    ///
    /// `ctx` is the context given at allocation.
    unsafe extern "C" fn swap_slot_free_notify(ctx: *mut c_void, index: c_ulong) {
        // SAFETY: By the type invariant the disk's context is a foreign `Arc<T>`, taken back
        // only after the disk, and so its callbacks, are gone.
        let ops = unsafe { <Arc<T> as ForeignOwnable>::borrow(ctx) };
        ops.swap_slot_free_notify(index as u64);
    }
}

impl<T: BioOps> Drop for BioDisk<T> {
    fn drop(&mut self) {
        // SAFETY: By the type invariant `raw` is live; freeing it waits for its bios and sysfs
        // callbacks.
        unsafe { rzram_bio_disk_free(self.raw.as_ptr()) };
        // SAFETY: By the type invariant `ctx` came from `into_foreign` and is taken back only
        // here, once no callback can borrow it.
        drop(unsafe { Arc::<T>::from_foreign(self.ctx) });
    }
}
