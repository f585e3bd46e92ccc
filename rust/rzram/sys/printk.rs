// SPDX-License-Identifier: GPL-2.0

//! The printk rate limit, which `kernel::print` does not offer.
//!
//! C header: [`include/linux/printk.h`](srctree/include/linux/printk.h).

use kernel::{
    bindings,
    prelude::*, //
};

/// Whether a message may be printed now under the kernel-wide printk rate limit
/// (`printk_ratelimit()`: by default 10 messages per 5 seconds), so a storm of errors
/// cannot flood the log.
pub(crate) fn printk_ratelimit() -> bool {
    // SAFETY: The name is a static NUL-terminated string; `__printk_ratelimit` may be called
    // in any context.
    unsafe { bindings::__printk_ratelimit(c"rzram".as_char_ptr()) != 0 }
}
