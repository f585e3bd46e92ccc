// SPDX-License-Identifier: GPL-2.0

//! Pieces of pages handed from a request to the network stack (`pages.h`, `pages.c`), and the
//! count of the page pins taken and released for them.
//!
//! C header: [`include/linux/mm.h`](srctree/include/linux/mm.h) (`get_page`, `put_page`).

use super::shims::{
    raoe_frag,
    raoe_frag_hold,
    raoe_frag_put,
    RAOE_FRAG_COPIED,
    RAOE_FRAG_PINNED,
    RAOE_MAX_FRAGS, //
};
use core::mem::ManuallyDrop;
use kernel::{
    ffi::c_int,
    prelude::*,
    sync::atomic::{
        Atomic,
        Relaxed, //
    },
};

/// The most pieces one frame carries.
pub(crate) const MAX_FRAGS: usize = RAOE_MAX_FRAGS as usize;

/// `raoe_frag_hold` took a reference on the frag's own page.
const FRAG_PINNED: c_int = RAOE_FRAG_PINNED as c_int;

/// `raoe_frag_hold` copied the piece into a new page.
const FRAG_COPIED: c_int = RAOE_FRAG_COPIED as c_int;

/// `struct raoe_frag`: bytes `[offset, offset + len)` of one page.
///
/// A `Frag` is only an address, valid while whatever filled it keeps the page alive: a live
/// request for its own pages, or a [`PinnedFrags`] holding a reference.
#[repr(transparent)]
#[derive(Clone, Copy)]
pub(crate) struct Frag(raoe_frag);

impl Frag {
    /// An empty piece, to fill arrays with.
    pub(crate) const EMPTY: Frag = Frag(raoe_frag {
        page: core::ptr::null_mut(),
        offset: 0,
        len: 0,
    });

    /// The length of the piece in bytes.
    pub(crate) fn len(&self) -> usize {
        usize::try_from(self.0.len).unwrap_or(usize::MAX)
    }

    /// The C view, for the shims.
    pub(crate) fn as_raw(&self) -> *const raoe_frag {
        &self.0
    }

    /// Bytes `[offset, offset + len)` of `page`, for the tests.
    #[cfg(raoe_rzram_kunit)]
    pub(crate) fn new(page: *mut super::shims::page, offset: u32, len: u32) -> Self {
        Self(raoe_frag { page, offset, len })
    }

    /// The page the piece lies in.
    #[cfg(raoe_rzram_kunit)]
    pub(crate) fn page(&self) -> *mut super::shims::page {
        self.0.page
    }

    /// The C view of `frags`, which the shims fill (`Frag` is `raoe_frag`, transparently).
    pub(crate) fn raw_slice(frags: &mut [Frag]) -> *mut raoe_frag {
        frags.as_mut_ptr().cast()
    }
}

/// The pieces of one frame's data, each holding a reference on its page, so that the pages
/// stay valid for the network stack however long after the request ended the frame is sent.
///
/// # Invariants
///
/// Each of `frags[..len]` names a page on which this value holds one reference taken by
/// `raoe_frag_hold`; `pinned` of them are references on the request's own pages and `copied`
/// on copies. The references are put when it drops, unless [`PinnedFrags::into_raw`] handed
/// them to the network stack.
pub(crate) struct PinnedFrags {
    frags: [Frag; MAX_FRAGS],
    len: usize,
    pinned: u32,
    copied: u32,
}

impl PinnedFrags {
    /// Takes a reference on the page of each of `frags` (or on a copy of the piece, when the
    /// page cannot be sent zero-copy); may run in atomic context.
    ///
    /// # Safety
    ///
    /// Each of `frags` names a valid page for the duration of the call.
    pub(crate) unsafe fn pin(frags: &[Frag]) -> Result<Self> {
        // INVARIANT: Empty: no reference held yet.
        let mut pinned = PinnedFrags {
            frags: [Frag::EMPTY; MAX_FRAGS],
            len: 0,
            pinned: 0,
            copied: 0,
        };
        for frag in frags {
            let slot = pinned.frags.get_mut(pinned.len).ok_or(E2BIG)?;
            *slot = *frag;
            // SAFETY: The caller guarantees that `frag`'s page is valid during the call, and
            // `slot` is a writable `struct raoe_frag`.
            let held = unsafe { raoe_frag_hold(&mut slot.0) };
            // INVARIANT: `slot` is counted only once a reference on its page is held; on
            // failure the references held so far are put by drop.
            match held {
                FRAG_PINNED => pinned.pinned += 1,
                FRAG_COPIED => pinned.copied += 1,
                err => return Err(Error::from_errno(err)),
            }
            pinned.len += 1;
        }
        Ok(pinned)
    }

    /// How many of the pieces are references on the request's own pages.
    pub(crate) fn pinned(&self) -> u32 {
        self.pinned
    }

    /// How many of the pieces are copies, made because their page failed `sendpage_ok()`.
    pub(crate) fn copied(&self) -> u32 {
        self.copied
    }

    /// The pieces, for the frame.
    pub(crate) fn frags(&self) -> &[Frag] {
        self.frags.get(..self.len).unwrap_or_default()
    }

    /// Gives up the references without putting them: whoever takes `frags()` of the returned
    /// value must put each one.
    pub(crate) fn into_raw(self) -> ManuallyDrop<Self> {
        ManuallyDrop::new(self)
    }
}

impl Drop for PinnedFrags {
    fn drop(&mut self) {
        for frag in self.frags.get(..self.len).unwrap_or_default() {
            // SAFETY: By the type invariant this value holds a reference on `frag`'s page,
            // taken by `raoe_frag_hold` and put only here.
            unsafe { raoe_frag_put(frag.as_raw()) };
        }
    }
}

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
