// SPDX-License-Identifier: GPL-2.0

//! The page compressors of lib/ (lzo, lzo-rle, lz4, zstd), with their level and dictionary,
//! over `compress.c`.
//!
//! C headers: [`include/linux/lzo.h`](srctree/include/linux/lzo.h),
//! [`include/linux/lz4.h`](srctree/include/linux/lz4.h),
//! [`include/linux/zstd.h`](srctree/include/linux/zstd.h),
//! [`include/linux/kernel_read_file.h`](srctree/include/linux/kernel_read_file.h).

use super::{
    bio_disk::MappedSegment,
    shims::{
        rzram_comp as RawComp,
        rzram_comp_algo,
        rzram_comp_alloc,
        rzram_comp_compress,
        rzram_comp_decompress,
        rzram_comp_free,
        rzram_comp_params as RawParams,
        rzram_comp_params_alloc,
        rzram_comp_params_free,
        rzram_dict_free,
        rzram_dict_load,
        RZRAM_COMP_LEVEL_DEFAULT,
        RZRAM_COMP_LZ4,
        RZRAM_COMP_LZO,
        RZRAM_COMP_LZO_RLE,
        RZRAM_COMP_ZSTD, //
    },
};
use core::ptr::NonNull;
use kernel::{
    ffi::{
        c_int,
        c_uint,
        c_void, //
    },
    prelude::*,
    sync::Arc,
};

/// A compression algorithm.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Algorithm {
    /// LZO1X-1.
    Lzo,
    /// LZO1X-1 with run-length encoding of zeros.
    LzoRle,
    /// LZ4 at the default acceleration.
    Lz4,
    /// Zstandard at the default level.
    Zstd,
}

impl Algorithm {
    /// Every algorithm, in zram's order (`zcomp.c` `backends[]`).
    pub(crate) const ALL: [Algorithm; 4] = [
        Algorithm::LzoRle,
        Algorithm::Lzo,
        Algorithm::Lz4,
        Algorithm::Zstd,
    ];

    /// The name zram uses for it.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Algorithm::Lzo => "lzo",
            Algorithm::LzoRle => "lzo-rle",
            Algorithm::Lz4 => "lz4",
            Algorithm::Zstd => "zstd",
        }
    }

    /// The shim's name for it.
    fn raw(self) -> rzram_comp_algo {
        match self {
            Algorithm::Lzo => RZRAM_COMP_LZO,
            Algorithm::LzoRle => RZRAM_COMP_LZO_RLE,
            Algorithm::Lz4 => RZRAM_COMP_LZ4,
            Algorithm::Zstd => RZRAM_COMP_ZSTD,
        }
    }
}

/// The contents of a dictionary file (`algorithm_params`' `dict=`); freed on drop.
///
/// # Invariants
///
/// `ptr` holds the `len` bytes `rzram_dict_load` read, and is freed only by `drop`.
pub(crate) struct Dictionary {
    ptr: NonNull<c_void>,
    len: usize,
}

// SAFETY: The bytes are only read once loaded, and may be freed from any thread.
unsafe impl Send for Dictionary {}
// SAFETY: As above: nothing writes them.
unsafe impl Sync for Dictionary {}

impl Dictionary {
    /// Reads the file at `path`, as zram does; `EINVAL` for an empty file.
    pub(crate) fn load(path: &CStr) -> Result<Self> {
        let mut buf = core::ptr::null_mut();
        // SAFETY: `path` is NUL-terminated, `buf` writable.
        let size = unsafe { rzram_dict_load(path.as_char_ptr(), &mut buf) };
        let len = usize::try_from(size)
            .map_err(|_| c_int::try_from(size).map_or(EINVAL, Error::from_errno))?;
        // INVARIANT: On success `buf` holds the `len` bytes read.
        Ok(Self {
            ptr: NonNull::new(buf).ok_or(EINVAL)?,
            len,
        })
    }
}

impl Drop for Dictionary {
    fn drop(&mut self) {
        // SAFETY: By the type invariant `ptr` came from `rzram_dict_load` and is not used
        // after this.
        unsafe { rzram_dict_free(self.ptr.as_ptr()) };
    }
}

/// An algorithm with its level and dictionary, set up once for every context of a device
/// (zram's `zcomp_params`).
///
/// # Invariants
///
/// `raw` was returned by `rzram_comp_params_alloc` for the bytes of `_dict`, which it only
/// reads, and is freed only by `drop` (before `_dict`, a later field).
pub(crate) struct CompParams {
    raw: NonNull<RawParams>,
    _dict: Option<Arc<Dictionary>>,
}

// SAFETY: Once set up the parameters are only read (zstd's digested dictionaries are shared by
// its contexts, lz4's loaded stream is copied), and may be freed from any thread.
unsafe impl Send for CompParams {}
// SAFETY: As above: nothing writes them after `new`.
unsafe impl Sync for CompParams {}

impl CompParams {
    /// Sets up `algorithm` at `level` (its default if `None`) with `dict`; `EINVAL` for a
    /// level or dictionary the algorithm refuses.
    pub(crate) fn new(
        algorithm: Algorithm,
        level: Option<i32>,
        dict: Option<Arc<Dictionary>>,
    ) -> Result<Arc<Self>> {
        let (dict_ptr, dict_len) = dict.as_ref().map_or((core::ptr::null(), 0), |dict| {
            (dict.ptr.as_ptr().cast_const(), dict.len)
        });
        let mut err = 0;
        // SAFETY: `dict_ptr` is null or holds `dict_len` bytes that `dict` keeps, and the
        // value made here holds `dict` for as long as `raw` lives; `err` is writable.
        let raw = unsafe {
            rzram_comp_params_alloc(
                algorithm.raw(),
                level.unwrap_or(RZRAM_COMP_LEVEL_DEFAULT),
                dict_ptr,
                dict_len,
                &mut err,
            )
        };
        let raw = NonNull::new(raw).ok_or_else(|| Error::from_errno(err))?;
        // INVARIANT: `raw` is fresh and reads `dict`'s bytes.
        Arc::new(Self { raw, _dict: dict }, GFP_KERNEL).map_err(Into::into)
    }
}

impl Drop for CompParams {
    fn drop(&mut self) {
        // SAFETY: By the type invariant `raw` is live and not used after this; no context
        // uses it (each holds an `Arc` of `self`). `_dict` is dropped after this.
        unsafe { rzram_comp_params_free(self.raw.as_ptr()) };
    }
}

/// A context of an algorithm: its working memory; freed on drop.
///
/// # Invariants
///
/// `raw` was returned by `rzram_comp_alloc` for `_params`, which it reads, and is freed only
/// by `drop` (before `_params`, a later field).
pub(crate) struct Compressor {
    raw: NonNull<RawComp>,
    _params: Arc<CompParams>,
}

// SAFETY: The working memory may be used and freed from any thread, one at a time (`&mut`);
// the parameters are `Sync`.
unsafe impl Send for Compressor {}

impl Compressor {
    /// Allocates a context for `params`.
    pub(crate) fn new(params: &Arc<CompParams>) -> Result<Self> {
        // SAFETY: `params.raw` is live while the value made here holds `params`.
        let raw = unsafe { rzram_comp_alloc(params.raw.as_ptr()) };
        // INVARIANT: `raw` is fresh, if not null, and reads `params`.
        Ok(Self {
            raw: NonNull::new(raw).ok_or(ENOMEM)?,
            _params: params.clone(),
        })
    }

    /// Compresses `src` into `dst`, which must hold at least twice as many bytes; returns the
    /// compressed length.
    pub(crate) fn compress(&mut self, src: &[u8], dst: &mut [u8]) -> Result<usize> {
        let src_len = c_uint::try_from(src.len())?;
        let dst_cap = c_uint::try_from(dst.len())?;
        // SAFETY: By the type invariant `raw` is live and `&mut self` makes this its only
        // user; `src` and `dst` are valid for their lengths, and `compress.c` refuses a `dst`
        // smaller than the algorithm's worst case.
        let ret = unsafe {
            rzram_comp_compress(
                self.raw.as_ptr(),
                src.as_ptr().cast(),
                src_len,
                dst.as_mut_ptr().cast(),
                dst_cap,
            )
        };
        usize::try_from(ret).map_err(|_| Error::from_errno(ret))
    }

    /// Decompresses `src` into `dst`; fails unless exactly `dst.len()` bytes come out.
    pub(crate) fn decompress(&mut self, src: &[u8], dst: &mut [u8]) -> Result {
        let dst_len = c_uint::try_from(dst.len())?;
        // SAFETY: `dst` is writable for its length.
        unsafe { self.decompress_to(src, dst.as_mut_ptr().cast(), dst_len) }
    }

    /// Decompresses `src` into a mapped piece of a bio; fails unless exactly the piece's
    /// length comes out.
    pub(crate) fn decompress_into(&mut self, src: &[u8], dst: &mut MappedSegment<'_>) -> Result {
        let (dst, dst_len) = dst.as_raw();
        // SAFETY: A mapped piece is writable for its length.
        unsafe { self.decompress_to(src, dst, dst_len) }
    }

    /// Decompresses `src` into the `dst_len` bytes at `dst`; fails unless exactly that many
    /// come out.
    ///
    /// # Safety
    ///
    /// `dst` is writable for `dst_len` bytes.
    unsafe fn decompress_to(&mut self, src: &[u8], dst: *mut c_void, dst_len: c_uint) -> Result {
        let src_len = c_uint::try_from(src.len())?;
        // SAFETY: By the type invariant `raw` is live and `&mut self` makes this its only
        // user; `src` is valid for its length, the caller guarantees `dst` for `dst_len`, and
        // the decompressors are bounded by both.
        let ret = unsafe {
            rzram_comp_decompress(
                self.raw.as_ptr(),
                src.as_ptr().cast(),
                src_len,
                dst,
                dst_len,
            )
        };
        kernel::error::to_result(ret)
    }
}

impl Drop for Compressor {
    fn drop(&mut self) {
        // SAFETY: By the type invariant `raw` is live and not used after this; `_params` is
        // dropped after this.
        unsafe { rzram_comp_free(self.raw.as_ptr()) };
    }
}
