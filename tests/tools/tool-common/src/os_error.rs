// SPDX-License-Identifier: GPL-2.0
//! OS error text that leads with the errno symbol, which is what man pages and kernel
//! sources use, e.g. "ENOMEM (Cannot allocate memory)".

use std::io;

macro_rules! errno_symbol {
    ($code:expr, $($name:ident),+ $(,)?) => {
        match $code {
            $(libc::$name => Some(stringify!($name)),)+
            _ => None,
        }
    };
}

/// Formats an OS error as its errno symbol followed by the text.
pub fn describe(err: &io::Error) -> String {
    let Some(code) = err.raw_os_error() else {
        return err.to_string();
    };
    let symbol = errno_symbol!(
        code, EPERM, ENOENT, EINTR, EIO, ENXIO, EBADF, EAGAIN, ENOMEM, EACCES, EFAULT, EBUSY,
        EEXIST, ENODEV, ENOTDIR, EISDIR, EINVAL, ENOTTY, EFBIG, ENOSPC, EROFS, ENOSYS, EOPNOTSUPP,
        ETIMEDOUT,
    );
    let text = err.to_string();
    // std appends " (os error N)", which the symbol makes redundant.
    let text = text.split(" (os error").next().unwrap_or(&text);
    match symbol {
        Some(symbol) => format!("{symbol} ({text})"),
        None => format!("errno {code} ({text})"),
    }
}
