// SPDX-License-Identifier: GPL-2.0

//! A work item, one-shot or periodic, its owner can cancel synchronously, over `work.c`: 7.3's
//! Rust workqueue has no `cancel_work_sync`, so a module could not wait for its work items
//! before unloading.
//!
//! C header: [`include/linux/workqueue.h`](srctree/include/linux/workqueue.h).

use super::shims::{
    raoe_work as RawWork,
    raoe_work_alloc,
    raoe_work_free,
    raoe_work_schedule, //
};
use core::ptr::NonNull;
use kernel::{
    ffi::c_void,
    prelude::*,
    sync::Arc,
    types::ForeignOwnable, //
};

/// What an [`OwnedWork`] runs in process context.
pub(crate) trait WorkRun: Send + Sync + 'static {
    /// Does the work; may sleep.
    fn run(&self);
}

/// A work item owned by whoever holds it: runs `T::run` on the system workqueue when scheduled,
/// and then every period if it has one; dropping it cancels it and waits for a run in progress.
///
/// # Invariants
///
/// `ctx` is a reference of `target` made foreign ([`ForeignOwnable::into_foreign`]) and taken
/// back only by `drop`. `raw` was returned by `raoe_work_alloc` with `ctx` as context and is freed
/// only by `drop`, before `ctx` is taken back.
pub(crate) struct OwnedWork<T: WorkRun> {
    raw: NonNull<RawWork>,
    ctx: *mut c_void,
    target: Arc<T>,
}

// SAFETY: The work item may be scheduled and freed from any thread; `T` is `Send + Sync`.
unsafe impl<T: WorkRun> Send for OwnedWork<T> {}
// SAFETY: `&OwnedWork` only schedules, which the workqueue serialises.
unsafe impl<T: WorkRun> Sync for OwnedWork<T> {}

impl<T: WorkRun> OwnedWork<T> {
    /// Creates an idle one-shot work item for `target`.
    pub(crate) fn new(target: Arc<T>) -> Result<Self> {
        Self::periodic(target, 0)
    }

    /// Creates an idle work item for `target` that, once scheduled, runs every `period_ms`.
    pub(crate) fn periodic(target: Arc<T>, period_ms: u32) -> Result<Self> {
        let ctx = target.clone().into_foreign();
        // SAFETY: `run::<T>` matches the callback type and borrows `ctx` as an `Arc<T>`, which
        // the returned value keeps until the work item is cancelled and freed.
        let raw = unsafe { raoe_work_alloc(Some(Self::run), ctx, period_ms) };
        let Some(raw) = NonNull::new(raw) else {
            // SAFETY: `ctx` came from `into_foreign` above and no work item uses it.
            drop(unsafe { Arc::<T>::from_foreign(ctx) });
            return Err(ENOMEM);
        };
        // INVARIANT: `raw` is fresh, with the foreign `ctx` as context.
        Ok(Self { raw, ctx, target })
    }

    /// The callback the workqueue runs.
    ///
    /// # Safety
    ///
    /// `ctx` is the context given to `raoe_work_alloc`.
    unsafe extern "C" fn run(ctx: *mut c_void) {
        // SAFETY: By the type invariant `ctx` is a foreign `Arc<T>`, taken back only after the
        // work item is freed, which waits for this run.
        unsafe { <Arc<T> as ForeignOwnable>::borrow(ctx) }.run();
    }

    /// Queues the work unless it is already queued.
    pub(crate) fn schedule(&self) {
        // SAFETY: By the type invariant `raw` is a live work item.
        unsafe { raoe_work_schedule(self.raw.as_ptr()) };
    }

    /// What the work runs on.
    pub(crate) fn target(&self) -> &Arc<T> {
        &self.target
    }
}

impl<T: WorkRun> Drop for OwnedWork<T> {
    fn drop(&mut self) {
        // SAFETY: By the type invariant `raw` is live; this cancels it, waits for a run in
        // progress and frees it.
        unsafe { raoe_work_free(self.raw.as_ptr()) };
        // SAFETY: By the type invariant `ctx` came from `into_foreign` and is taken back only
        // here, once no run can borrow it.
        drop(unsafe { Arc::<T>::from_foreign(self.ctx) });
    }
}
