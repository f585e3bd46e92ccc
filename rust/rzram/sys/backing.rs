// SPDX-License-Identifier: GPL-2.0

//! The backing device of writeback, over `backing.c`: opened exclusively, read and written a
//! page-sized block at a time from [`BlockBuffer`]s.
//!
//! C headers: [`include/linux/bio.h`](srctree/include/linux/bio.h),
//! [`include/linux/blkdev.h`](srctree/include/linux/blkdev.h).

use super::shims::{
    rzram_backing as RawBacking,
    rzram_backing_close,
    rzram_backing_open,
    rzram_backing_pages,
    rzram_backing_path,
    rzram_backing_read,
    rzram_backing_write as RawWrite,
    rzram_backing_write_batch,
    rzram_noio_restore,
    rzram_noio_save, //
};
use core::{
    marker::PhantomData,
    ops::{
        Deref,
        DerefMut, //
    },
    ptr::NonNull, //
};
use kernel::{page::PAGE_SIZE, prelude::*};

/// A page of memory a bio to the backing device can take.
///
/// # Invariants
///
/// `bytes` holds `PAGE_SIZE` bytes at a page-aligned address of `kmalloc` memory, in the
/// kernel's direct mapping.
pub(crate) struct BlockBuffer {
    bytes: KVec<u8>,
}

impl BlockBuffer {
    /// A zeroed buffer.
    pub(crate) fn new() -> Result<Self> {
        // `kmalloc` aligns power-of-two sizes to themselves; checked rather than trusted.
        let bytes = KVec::from_elem(0u8, PAGE_SIZE, GFP_KERNEL)?;
        if bytes.as_ptr().align_offset(PAGE_SIZE) != 0 {
            return Err(ENOMEM);
        }
        // INVARIANT: `KVec` allocates with `kmalloc`; the length and alignment are checked.
        Ok(Self { bytes })
    }
}

impl Deref for BlockBuffer {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        &self.bytes
    }
}

impl DerefMut for BlockBuffer {
    fn deref_mut(&mut self) -> &mut [u8] {
        &mut self.bytes
    }
}

/// Runs `f` with every allocation it makes as `GFP_NOIO` (`memalloc_noio_save`): inside
/// `submit_bio`, reclaim must not start I/O, which would queue behind the bio being served.
pub(crate) fn without_io<R>(f: impl FnOnce() -> R) -> R {
    // SAFETY: Only sets a flag of the current task; restored below, on the same task.
    let saved = unsafe { rzram_noio_save() };
    let result = f();
    // SAFETY: `saved` came from the matching save above.
    unsafe { rzram_noio_restore(saved) };
    result
}

/// A block device opened for writeback; closed on drop.
///
/// # Invariants
///
/// `raw` was returned by `rzram_backing_open`, is closed only by `drop`, and has `pages`
/// blocks.
pub(crate) struct Backing {
    raw: NonNull<RawBacking>,
    pages: u64,
}

// SAFETY: The device may be read, written and closed from any thread.
unsafe impl Send for Backing {}
// SAFETY: Each read and each batch of writes uses its own bios and wait; `backing.c` keeps no
// state that changes after opening.
unsafe impl Sync for Backing {}

impl Backing {
    /// Opens the block device at `path` read-write and exclusively, as zram's `backing_dev`:
    /// `EBUSY` if in use, `ENOTBLK` if not a block device, `EINVAL` if smaller than a page;
    /// beyond zram, `EROFS` if read-only.
    pub(crate) fn open(path: &CStr) -> Result<Self> {
        let mut err = 0;
        // SAFETY: `path` is NUL-terminated; `err` is writable.
        let raw = unsafe { rzram_backing_open(path.as_char_ptr(), &mut err) };
        let raw = NonNull::new(raw).ok_or_else(|| Error::from_errno(err))?;
        // SAFETY: `raw` is open.
        let pages = unsafe { rzram_backing_pages(raw.as_ptr()) };
        // INVARIANT: Opened above, with `pages` blocks.
        Ok(Self { raw, pages })
    }

    /// Its blocks (pages).
    pub(crate) fn pages(&self) -> u64 {
        self.pages
    }

    /// Writes its path and a newline into `buf`; returns the length.
    pub(crate) fn write_path(&self, buf: &mut [u8]) -> Result<usize> {
        // SAFETY: By the type invariant `raw` is open; `buf` has `buf.len()` writable bytes.
        let len =
            unsafe { rzram_backing_path(self.raw.as_ptr(), buf.as_mut_ptr().cast(), buf.len()) };
        // A negative length is an errno.
        usize::try_from(len).map_err(|_| Error::from_errno(i32::try_from(len).unwrap_or(-1)))
    }

    /// Reads `block` into `buf`; may be called inside `submit_bio` (a worker submits it).
    pub(crate) fn read(&self, block: u64, buf: &mut BlockBuffer) -> Result {
        // SAFETY: By the type invariants `raw` is open and `buf` is a page-aligned page of the
        // direct mapping, borrowed mutably until the read has ended.
        kernel::error::to_result(unsafe {
            rzram_backing_read(self.raw.as_ptr(), block, buf.as_mut_ptr().cast())
        })
    }

    /// Writes every buffer of `writes` to its block, all at once, and waits; each write's
    /// [`BlockWrite::result`] says how it went. Not inside `submit_bio`.
    pub(crate) fn write_batch(&self, writes: &mut [BlockWrite<'_>]) -> Result {
        let n = u32::try_from(writes.len())?;
        // `BlockWrite` is `repr(transparent)` over the C struct: the slice is its array.
        let raw = writes.as_mut_ptr().cast::<RawWrite>();
        // SAFETY: By the type invariant `raw` is open; each of the `n` entries holds a
        // borrowed `BlockBuffer` (page-aligned, direct mapping) that outlives the call, which
        // waits for every write.
        unsafe { rzram_backing_write_batch(self.raw.as_ptr(), raw, n) };
        Ok(())
    }
}

impl Drop for Backing {
    fn drop(&mut self) {
        // SAFETY: By the type invariant `raw` is open and closed only here; every read and
        // batch waits for its I/O, so none is in flight.
        unsafe { rzram_backing_close(self.raw.as_ptr()) };
    }
}

/// One page of a writeback batch: a buffer and its block.
#[repr(transparent)]
pub(crate) struct BlockWrite<'a> {
    raw: RawWrite,
    _buf: PhantomData<&'a BlockBuffer>,
}

impl<'a> BlockWrite<'a> {
    /// `buf` to `block`.
    pub(crate) fn new(buf: &'a BlockBuffer, block: u64) -> Self {
        Self {
            raw: RawWrite {
                // The C side only reads the buffer.
                buf: buf.as_ptr().cast_mut().cast(),
                block,
                err: 0,
            },
            _buf: PhantomData,
        }
    }

    /// How the write went, once [`Backing::write_batch`] returned.
    pub(crate) fn result(&self) -> Result {
        kernel::error::to_result(self.raw.err)
    }
}
