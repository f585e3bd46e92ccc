// SPDX-License-Identifier: GPL-2.0

//! The module parameters aoetools read, `aoe_iflist` and `aoe_dyndevs`, kept in C (`params.c`):
//! 7.3's Rust module parameters are integers only and not in sysfs.

use super::shims::{
    raoe_dyndevs,
    raoe_iflist_copy,
    raoe_iflist_set,
    RAOE_IFLIST_SIZE, //
};

/// The size of the interface list, its NUL included.
pub(crate) const IFLIST_SIZE: usize = RAOE_IFLIST_SIZE as usize;

// The list parser (logic, built for the host too) checks lengths against its own copy of the
// size; `aoechr.c` takes writes one byte shorter, as aoe.ko does.
const _: () = {
    assert!(IFLIST_SIZE == crate::logic::user_input::INTERFACE_LIST_SIZE);
    assert!(super::shims::RAOE_CHR_MAX_WRITE as usize == IFLIST_SIZE - 1);
};

/// Copies the current `aoe_iflist`, NUL-terminated, into `buf`.
pub(crate) fn iflist(buf: &mut [u8; IFLIST_SIZE]) {
    // SAFETY: `buf` is `IFLIST_SIZE` writable bytes and `raoe_iflist_copy` writes at most
    // that many, under the module's parameter lock.
    unsafe { raoe_iflist_copy(buf.as_mut_ptr().cast(), IFLIST_SIZE) };
}

/// Replaces `aoe_iflist` with `list`, which must be shorter than `IFLIST_SIZE`.
pub(crate) fn set_iflist(list: &[u8]) -> kernel::error::Result {
    // SAFETY: `list` is `list.len()` readable bytes; `raoe_iflist_set` copies them under the
    // module's parameter lock after checking the length.
    let ret = unsafe { raoe_iflist_set(list.as_ptr().cast(), list.len()) };
    kernel::error::to_result(ret)
}

/// How the next disk is numbered, as `aoe_dyndevs` says now.
pub(crate) fn numbering() -> crate::logic::minors::Numbering {
    // SAFETY: `raoe_dyndevs` only reads the parameter's `int`.
    crate::logic::minors::Numbering::from_param(unsafe { raoe_dyndevs() })
}
