// SPDX-License-Identifier: GPL-2.0

//! The module parameters aoetools read, `aoe_iflist` and `aoe_dyndevs`, kept in C (`params.c`):
//! 7.3's Rust module parameters are integers only and not in sysfs.

/// The size of the interface list, its NUL included (`RAOE_IFLIST_SIZE`).
pub(crate) const IFLIST_SIZE: usize = 1024;

extern "C" {
    fn raoe_iflist_copy(buf: *mut u8, len: usize);
    fn raoe_iflist_set(buf: *const u8, len: usize) -> kernel::ffi::c_int;
    fn raoe_dyndevs() -> kernel::ffi::c_int;
}

/// Copies the current `aoe_iflist`, NUL-terminated, into `buf`.
pub(crate) fn iflist(buf: &mut [u8; IFLIST_SIZE]) {
    // SAFETY: `buf` is `IFLIST_SIZE` writable bytes and `raoe_iflist_copy` writes at most
    // that many, under the module's parameter lock.
    unsafe { raoe_iflist_copy(buf.as_mut_ptr(), IFLIST_SIZE) };
}

/// Replaces `aoe_iflist` with `list`, which must be shorter than `IFLIST_SIZE`.
pub(crate) fn set_iflist(list: &[u8]) -> kernel::error::Result {
    // SAFETY: `list` is `list.len()` readable bytes; `raoe_iflist_set` copies them under the
    // module's parameter lock after checking the length.
    let ret = unsafe { raoe_iflist_set(list.as_ptr(), list.len()) };
    kernel::error::to_result(ret)
}

/// How the next disk is numbered, as `aoe_dyndevs` says now.
pub(crate) fn numbering() -> crate::logic::minors::Numbering {
    // SAFETY: `raoe_dyndevs` only reads the parameter's `int`.
    crate::logic::minors::Numbering::from_param(unsafe { raoe_dyndevs() })
}
