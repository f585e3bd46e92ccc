// SPDX-License-Identifier: GPL-2.0

//! Random numbers from the kernel's CRNG.
//!
//! C header: [`include/linux/random.h`](srctree/include/linux/random.h).

/// A random 32-bit value.
pub(crate) fn random_u32() -> u32 {
    // SAFETY: `get_random_u32` has no preconditions and may be called in any context.
    unsafe { kernel::bindings::get_random_u32() }
}
