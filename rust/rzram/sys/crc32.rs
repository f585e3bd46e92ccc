// SPDX-License-Identifier: GPL-2.0

//! CRC-32C of lib/crc (built in: `CONFIG_CRC32=y`), which uses the CPU's CRC32 instruction
//! where there is one.
//!
//! C header: [`include/linux/crc32.h`](srctree/include/linux/crc32.h).

use kernel::ffi::c_void;

// `crc32.c`'s wrapper, compiled against <linux/crc32.h>.
extern "C" {
    fn kffi_crc32c(crc: u32, p: *const c_void, len: usize) -> u32;
}

/// The CRC-32C of `data`, seeded with all ones as the usual convention.
pub(crate) fn crc32c_of(data: &[u8]) -> u32 {
    // SAFETY: `data` is readable for its length for the whole call; `crc32c` only reads it.
    unsafe { kffi_crc32c(!0, data.as_ptr().cast(), data.len()) }
}
