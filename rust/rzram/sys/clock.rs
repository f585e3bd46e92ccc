// SPDX-License-Identifier: GPL-2.0

//! The clock of pages' access times.
//!
//! C header: [`include/linux/timekeeping.h`](srctree/include/linux/timekeeping.h).

use super::shims::rzram_boottime_seconds;

/// Seconds since boot, suspend included (`ktime_get_boottime_seconds`, as zram's `u32`).
pub(crate) fn boottime_seconds() -> u32 {
    // SAFETY: The function only reads the clock.
    unsafe { rzram_boottime_seconds() }
}
