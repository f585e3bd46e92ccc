// SPDX-License-Identifier: GPL-2.0

//! A zsmalloc pool and a table of slots holding its objects, over `zsmalloc.c` and the
//! exported zsmalloc functions.
//!
//! Each slot's object is reached only under the slot's lock (bit 0 of its handle word), which
//! a [`SlotGuard`] holds: a read cannot race with the free of what it reads, and an object
//! leaves a slot exactly once.
//!
//! C header: [`include/linux/zsmalloc.h`](srctree/include/linux/zsmalloc.h).

use super::shims::{
    rzram_zs_compact,
    rzram_zs_create_pool,
    rzram_zs_destroy_pool,
    rzram_zs_free,
    rzram_zs_get_total_pages,
    rzram_zs_huge_class_size,
    rzram_zs_lookup_class_index,
    rzram_zs_malloc,
    rzram_zs_obj_read_begin,
    rzram_zs_obj_read_end,
    rzram_zs_obj_write,
    rzram_zs_pages_compacted,
    zs_pool as RawPool, //
};
use super::wait_bit::{
    BitGuard,
    BitLockClass,
    BitLocked,
    BitValue, //
};
use core::ptr::NonNull;
use kernel::{alloc::flags::__GFP_NOWARN, ffi::c_ulong, prelude::*};

/// A zsmalloc pool; destroyed on drop.
///
/// # Invariants
///
/// `raw` was returned by `zs_create_pool` and is destroyed only by `drop`.
pub(crate) struct ZsPool {
    raw: NonNull<RawPool>,
}

// SAFETY: zsmalloc pools may be used and destroyed from any thread.
unsafe impl Send for ZsPool {}
// SAFETY: zsmalloc serialises concurrent use of a pool itself.
unsafe impl Sync for ZsPool {}

impl ZsPool {
    /// Creates a pool named `name` (copied).
    pub(crate) fn new(name: &CStr) -> Result<Self> {
        // SAFETY: `name` is NUL-terminated; zsmalloc copies it.
        let raw = unsafe { rzram_zs_create_pool(name.as_char_ptr()) };
        // INVARIANT: `raw` is a fresh pool, if not null.
        Ok(Self {
            raw: NonNull::new(raw).ok_or(ENOMEM)?,
        })
    }

    /// Allocates an object of exactly `len` bytes (1..=PAGE_SIZE) without starting I/O.
    pub(crate) fn alloc(&self, len: usize) -> Result<ZsObject<'_>> {
        let mut raw_handle: c_ulong = 0;
        // SAFETY: By the type invariant `raw` is live; `raw_handle` is writable.
        let ret = unsafe { rzram_zs_malloc(self.raw.as_ptr(), len, &mut raw_handle) };
        kernel::error::to_result(ret)?;
        // Handles are addresses of word-aligned slab objects: bit 0, a slot's lock, is clear.
        let Some(handle) = BitValue::new(raw_handle) else {
            // SAFETY: `raw_handle` is the fresh object allocated above, used nowhere else.
            unsafe { self.free(raw_handle) };
            return Err(ENOMEM);
        };
        // INVARIANT: `handle` is a fresh object of `len` bytes of this pool.
        Ok(ZsObject {
            pool: self,
            handle,
            len,
        })
    }

    /// The pages the pool holds.
    pub(crate) fn total_pages(&self) -> u64 {
        // SAFETY: By the type invariant `raw` is live.
        unsafe { rzram_zs_get_total_pages(self.raw.as_ptr()) as u64 }
    }

    /// The smallest object size stored one per page: compressing to this size saves nothing.
    pub(crate) fn huge_class_size(&self) -> usize {
        // SAFETY: By the type invariant `raw` is live.
        unsafe { rzram_zs_huge_class_size(self.raw.as_ptr()) }
    }

    /// The size class an object of `size` bytes (at most a page) goes to: a smaller index is a
    /// smaller class.
    pub(crate) fn class_index(&self, size: u32) -> u32 {
        // SAFETY: By the type invariant `raw` is live; zsmalloc only looks the size up.
        unsafe { rzram_zs_lookup_class_index(self.raw.as_ptr(), size) }
    }

    /// Moves objects to free pages; returns how many pages were freed.
    pub(crate) fn compact(&self) -> u64 {
        // SAFETY: By the type invariant `raw` is live.
        unsafe { rzram_zs_compact(self.raw.as_ptr()) as u64 }
    }

    /// Pages freed by compaction since the pool was created.
    pub(crate) fn pages_compacted(&self) -> u64 {
        // SAFETY: By the type invariant `raw` is live.
        unsafe { rzram_zs_pages_compacted(self.raw.as_ptr()) as u64 }
    }

    /// Frees an object.
    ///
    /// # Safety
    ///
    /// `handle` is an object of this pool, not freed before and not used after.
    unsafe fn free(&self, handle: c_ulong) {
        // SAFETY: By the type invariant `raw` is live; the caller passes a live object.
        unsafe { rzram_zs_free(self.raw.as_ptr(), handle) };
    }
}

impl Drop for ZsPool {
    fn drop(&mut self) {
        // SAFETY: By the type invariant `raw` is live; nothing uses it after this.
        unsafe { rzram_zs_destroy_pool(self.raw.as_ptr()) };
    }
}

/// A new object not yet in a slot; freed on drop.
///
/// # Invariants
///
/// `handle` is a live object of `len` bytes of `pool`, owned by this value.
pub(crate) struct ZsObject<'a> {
    pool: &'a ZsPool,
    handle: BitValue,
    len: usize,
}

impl ZsObject<'_> {
    /// Fills the object with `data`, which must be exactly as long as the object.
    pub(crate) fn write(&mut self, data: &[u8]) -> Result {
        if data.len() != self.len {
            return Err(EINVAL);
        }
        // SAFETY: By the type invariant `handle` is a live object of `len` bytes of the pool;
        // zsmalloc only reads `len` bytes of `data`.
        unsafe {
            rzram_zs_obj_write(
                self.pool.raw.as_ptr(),
                self.handle.get(),
                data.as_ptr().cast_mut().cast(),
                self.len,
            )
        };
        Ok(())
    }
}

impl Drop for ZsObject<'_> {
    fn drop(&mut self) {
        // SAFETY: By the type invariant the object is live and owned by this value.
        unsafe { self.pool.free(self.handle.get()) };
    }
}

/// One slot: an object handle (0: none), locked by its bit 0, and the user's data about it.
struct Slot<M> {
    handle: BitLocked,
    meta: M,
}

/// A fixed table of slots, each holding at most one object of the table's own pool and a
/// user-defined `M` about it, each with its own sleeping lock.
///
/// # Invariants
///
/// A non-zero `handle` of a slot is a live object of `pool`, owned by the slot.
pub(crate) struct ZsTable<M> {
    slots: KVVec<Slot<M>>,
    /// The lockdep class of the slot locks.
    locks: BitLockClass,
    pool: ZsPool,
}

impl<M: Default + Send + Sync> ZsTable<M> {
    /// Creates a pool named `name` and `len` empty slots.
    pub(crate) fn new(name: &CStr, len: usize) -> Result<Self> {
        let mut slots = KVVec::with_capacity(len, GFP_KERNEL | __GFP_NOWARN)?;
        for _ in 0..len {
            slots.push(
                Slot {
                    handle: BitLocked::new(),
                    meta: M::default(),
                },
                GFP_KERNEL,
            )?;
        }
        Ok(Self {
            slots,
            locks: BitLockClass::new()?,
            pool: ZsPool::new(name)?,
        })
    }

    /// The pool new objects come from.
    pub(crate) fn pool(&self) -> &ZsPool {
        &self.pool
    }

    /// Locks slot `index`, sleeping if needed; `EINVAL` when out of range.
    pub(crate) fn lock(&self, index: usize) -> Result<SlotGuard<'_, M>> {
        let slot = self.slots.get(index).ok_or(EINVAL)?;
        Ok(SlotGuard {
            table: self,
            slot,
            handle: slot.handle.lock(&self.locks),
        })
    }

    /// Locks slot `index` if nobody holds it (`None` if somebody does); never sleeps;
    /// `EINVAL` when out of range.
    pub(crate) fn try_lock(&self, index: usize) -> Result<Option<SlotGuard<'_, M>>> {
        let slot = self.slots.get(index).ok_or(EINVAL)?;
        Ok(slot.handle.try_lock(&self.locks).map(|handle| SlotGuard {
            table: self,
            slot,
            handle,
        }))
    }
}

impl<M> Drop for ZsTable<M> {
    fn drop(&mut self) {
        for slot in self.slots.iter_mut() {
            let handle = slot.handle.get_mut();
            if handle != 0 {
                // SAFETY: By the type invariant a non-zero handle is a live object of `pool`
                // owned by the slot, which goes with the table.
                unsafe { self.pool.free(handle) };
            }
        }
    }
}

/// A locked slot.
pub(crate) struct SlotGuard<'a, M> {
    table: &'a ZsTable<M>,
    slot: &'a Slot<M>,
    handle: BitGuard<'a>,
}

impl<'a, M> SlotGuard<'a, M> {
    /// The user's data about the slot.
    pub(crate) fn meta(&self) -> &M {
        &self.slot.meta
    }

    /// Calls `f` with the first `len` bytes of the slot's object, mapped or (when the object
    /// spans two pages) copied into `local_copy`; `None` when the slot holds no object.
    ///
    /// # Panics
    ///
    /// When `local_copy` is shorter than `len`.
    pub(crate) fn read<R>(
        &self,
        len: usize,
        local_copy: &mut [u8],
        f: impl FnOnce(&[u8]) -> R,
    ) -> Option<R> {
        assert!(local_copy.len() >= len);
        let handle = self.handle.get();
        if handle == 0 {
            return None;
        }
        let pool = self.table.pool.raw.as_ptr();
        let copy = local_copy.as_mut_ptr().cast();
        // SAFETY: By the type invariant of `ZsTable` the handle is a live object of `pool`,
        // which the held slot lock keeps from being freed; `copy` has room for `len` bytes.
        let mem = unsafe { rzram_zs_obj_read_begin(pool, handle, len, copy) };
        // SAFETY: `zs_obj_read_begin` returns `len` readable bytes, valid until
        // `zs_obj_read_end`.
        let data = unsafe { core::slice::from_raw_parts(mem.cast::<u8>(), len) };
        let result = f(data);
        // SAFETY: Ends the read begun above with the same arguments; `data` is dead.
        unsafe { rzram_zs_obj_read_end(pool, handle, len, mem) };
        Some(result)
    }

    /// Puts `object` (or nothing) into the slot and frees the object it held.
    ///
    /// # Panics
    ///
    /// When `object` comes from another table's pool.
    pub(crate) fn replace(&self, object: Option<ZsObject<'a>>) {
        let new = object.map_or(BitValue::ZERO, |object| {
            assert!(core::ptr::eq(object.pool, &self.table.pool));
            // The slot takes over the object from here.
            core::mem::ManuallyDrop::new(object).handle
        });
        // INVARIANT: `new` is zero or an object of the pool, now owned by the slot.
        let old = self.handle.set(new);
        if old != BitValue::ZERO {
            // SAFETY: By the type invariant of `ZsTable` the slot owned `old`, a live object
            // of the pool; it left the slot above, so it is freed exactly once.
            unsafe { self.table.pool.free(old.get()) };
        }
    }
}
