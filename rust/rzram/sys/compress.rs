// SPDX-License-Identifier: GPL-2.0

//! The page compressors of lib/ (lzo, lzo-rle, lz4, zstd), over `compress.c`.
//!
//! C headers: [`include/linux/lzo.h`](srctree/include/linux/lzo.h),
//! [`include/linux/lz4.h`](srctree/include/linux/lz4.h),
//! [`include/linux/zstd.h`](srctree/include/linux/zstd.h).

use super::{
    bio_disk::MappedSegment,
    shims::{
        rzram_comp as RawComp,
        rzram_comp_algo,
        rzram_comp_alloc,
        rzram_comp_compress,
        rzram_comp_decompress,
        rzram_comp_free,
        RZRAM_COMP_LZ4,
        RZRAM_COMP_LZO,
        RZRAM_COMP_LZO_RLE,
        RZRAM_COMP_ZSTD, //
    },
};
use core::ptr::NonNull;
use kernel::{
    ffi::{
        c_uint,
        c_void, //
    },
    prelude::*,
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

/// An algorithm with its working memory; freed on drop.
///
/// # Invariants
///
/// `raw` was returned by `rzram_comp_alloc` and is freed only by `drop`.
pub(crate) struct Compressor {
    raw: NonNull<RawComp>,
}

// SAFETY: The working memory may be used and freed from any thread, one at a time (`&mut`).
unsafe impl Send for Compressor {}

impl Compressor {
    /// Allocates the working memory of `algorithm`.
    pub(crate) fn new(algorithm: Algorithm) -> Result<Self> {
        // SAFETY: Any algorithm value is accepted.
        let raw = unsafe { rzram_comp_alloc(algorithm.raw()) };
        // INVARIANT: `raw` is fresh, if not null.
        Ok(Self {
            raw: NonNull::new(raw).ok_or(ENOMEM)?,
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
        // SAFETY: By the type invariant `raw` is live and not used after this.
        unsafe { rzram_comp_free(self.raw.as_ptr()) };
    }
}
