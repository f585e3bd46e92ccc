// SPDX-License-Identifier: GPL-2.0

//! CRC-32C of lib/crc (built in: `CONFIG_CRC32=y`), which uses the CPU's CRC32 instruction
//! where there is one.
//!
//! C header: [`include/linux/crc32.h`](srctree/include/linux/crc32.h).

use super::shims::rzram_crc32c;

/// The CRC-32C of `data`, seeded with all ones as the usual convention.
pub(crate) fn crc32c_of(data: &[u8]) -> u32 {
    // SAFETY: `data` is readable for its length for the whole call; `crc32c` only reads it.
    unsafe { rzram_crc32c(!0, data.as_ptr().cast(), data.len()) }
}
