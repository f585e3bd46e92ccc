// SPDX-License-Identifier: GPL-2.0

//! Pieces of pages handed from a request to the network stack (`pages.h`), and the count of
//! the page pins taken and released for them.
//!
//! C header: [`include/linux/mm.h`](srctree/include/linux/mm.h) (`get_page`, `put_page`).

use super::shims::{
    kffi_frag,
    KFFI_MAX_FRAGS, //
};
use kernel::sync::atomic::{
    Atomic,
    Relaxed, //
};

/// The most pieces one frame carries.
pub(crate) const MAX_FRAGS: usize = KFFI_MAX_FRAGS as usize;

/// `struct kffi_frag`: bytes `[offset, offset + len)` of one page.
///
/// A `Frag` is only an address: it is filled by a request that keeps the page alive while the
/// request is outstanding, and whoever sends it must rely on that.
#[repr(transparent)]
#[derive(Clone, Copy)]
pub(crate) struct Frag(kffi_frag);

impl Frag {
    /// An empty piece, to fill arrays with.
    pub(crate) const EMPTY: Frag = Frag(kffi_frag {
        page: core::ptr::null_mut(),
        offset: 0,
        len: 0,
    });

    /// The length of the piece in bytes.
    pub(crate) fn len(&self) -> usize {
        usize::try_from(self.0.len).unwrap_or(usize::MAX)
    }

    /// The C view, for the shims.
    pub(crate) fn as_raw(&self) -> *const kffi_frag {
        &self.0
    }

    /// The C view of `frags`, which the shims fill (`Frag` is `kffi_frag`, transparently).
    pub(crate) fn raw_slice(frags: &mut [Frag]) -> *mut kffi_frag {
        frags.as_mut_ptr().cast()
    }
}

// SAFETY: A `Frag` is a plain address; the code that dereferences it (C) does so under the
// rules documented where frags are sent.
unsafe impl Send for Frag {}

/// Page pins taken for frames in flight and released by the network stack.
pub(crate) struct PinCounts {
    /// Pages pinned with `get_page` for zero-copy frames.
    pub(crate) taken: Atomic<u64>,
    /// Pins the network stack has released.
    pub(crate) released: Atomic<u64>,
    /// Pages copied because `sendpage_ok()` refused them (slab memory, refcount 0).
    pub(crate) copied: Atomic<u64>,
}

impl PinCounts {
    /// All zero.
    pub(crate) const fn new() -> Self {
        Self {
            taken: Atomic::new(0),
            released: Atomic::new(0),
            copied: Atomic::new(0),
        }
    }

    /// Pins taken minus pins released.
    pub(crate) fn outstanding(&self) -> u64 {
        self.taken
            .load(Relaxed)
            .saturating_sub(self.released.load(Relaxed))
    }
}
