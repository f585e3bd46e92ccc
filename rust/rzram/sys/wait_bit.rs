// SPDX-License-Identifier: GPL-2.0

//! Words whose bit 0 is a sleeping lock guarding the other bits, over `wait_bit.c`: one word
//! per lock, as zram's slot lock, where 7.3's Rust locks need a whole `struct mutex`. A
//! [`BitLockClass`] gives a family of them one lockdep class.
//!
//! C header: [`include/linux/wait_bit.h`](srctree/include/linux/wait_bit.h).

use super::shims::{
    rzram_bit_lock,
    rzram_bit_lock_class as RawClass,
    rzram_bit_lock_class_alloc,
    rzram_bit_lock_class_free,
    rzram_bit_trylock,
    rzram_bit_unlock, //
};
use core::ptr::NonNull;
use kernel::{
    ffi::c_ulong,
    prelude::*,
    sync::atomic::{
        Atomic,
        Relaxed, //
    },
};

/// The lock bit.
const LOCKED: c_ulong = 1;

/// The lockdep class of a family of [`BitLocked`] words, none of which is taken while holding
/// another; freed on drop.
///
/// # Invariants
///
/// `raw` was returned by `rzram_bit_lock_class_alloc` and is freed only by `drop`.
pub(crate) struct BitLockClass {
    raw: NonNull<RawClass>,
}

// SAFETY: The class is only read by lockdep, from any thread.
unsafe impl Send for BitLockClass {}
// SAFETY: The class is only read by lockdep, from any thread.
unsafe impl Sync for BitLockClass {}

impl BitLockClass {
    /// A new class.
    pub(crate) fn new() -> Result<Self> {
        // SAFETY: No preconditions.
        let raw = unsafe { rzram_bit_lock_class_alloc() };
        // INVARIANT: `raw` is fresh, if not null.
        Ok(Self {
            raw: NonNull::new(raw).ok_or(ENOMEM)?,
        })
    }
}

impl Drop for BitLockClass {
    fn drop(&mut self) {
        // SAFETY: By the type invariant `raw` is live; no lock of the class is held, since
        // guards borrow the class.
        unsafe { rzram_bit_lock_class_free(self.raw.as_ptr()) };
    }
}

/// A value with bit 0 clear: what a [`BitLocked`] word holds besides its lock.
///
/// # Invariants
///
/// Bit 0 of the value is clear.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) struct BitValue(c_ulong);

impl BitValue {
    /// Zero.
    pub(crate) const ZERO: Self = Self(0);

    /// `value`, if its bit 0 is clear.
    pub(crate) fn new(value: c_ulong) -> Option<Self> {
        // INVARIANT: Checked here.
        (value & LOCKED == 0).then_some(Self(value))
    }

    /// The value.
    pub(crate) fn get(self) -> c_ulong {
        self.0
    }
}

/// A value with bit 0 clear, guarded by a lock in bit 0 of the same word.
///
/// # Invariants
///
/// The value bits change only while bit 0 is held, and only through a [`BitGuard`].
pub(crate) struct BitLocked {
    word: Atomic<c_ulong>,
}

impl BitLocked {
    /// An unlocked word holding 0.
    pub(crate) const fn new() -> Self {
        Self {
            word: Atomic::new(0),
        }
    }

    /// Locks the word, sleeping while another task holds it.
    pub(crate) fn lock<'a>(&'a self, class: &'a BitLockClass) -> BitGuard<'a> {
        // SAFETY: `class` is live; `word` is a valid, aligned `unsigned long` that lives as
        // long as `self`.
        unsafe { rzram_bit_lock(class.raw.as_ptr(), self.word.as_ptr()) };
        BitGuard {
            locked: self,
            class,
        }
    }

    /// Locks the word if it is free; never sleeps.
    pub(crate) fn try_lock<'a>(&'a self, class: &'a BitLockClass) -> Option<BitGuard<'a>> {
        // SAFETY: `class` is live; `word` is a valid, aligned `unsigned long` that lives as
        // long as `self`.
        let taken = unsafe { rzram_bit_trylock(class.raw.as_ptr(), self.word.as_ptr()) };
        // The guard is made only when the lock was taken: dropping one unlocks, so a guard
        // made eagerly (`then_some`) and dropped on failure would release another task's lock.
        if taken {
            Some(BitGuard {
                locked: self,
                class,
            })
        } else {
            None
        }
    }

    /// The value, for an owner with exclusive access (no lock needed).
    pub(crate) fn get_mut(&mut self) -> c_ulong {
        *self.word.get_mut() & !LOCKED
    }
}

/// A held [`BitLocked`]; unlocks on drop.
pub(crate) struct BitGuard<'a> {
    locked: &'a BitLocked,
    class: &'a BitLockClass,
}

impl BitGuard<'_> {
    /// The value.
    pub(crate) fn get(&self) -> c_ulong {
        self.locked.word.load(Relaxed) & !LOCKED
    }

    /// Replaces the value and returns the old one.
    pub(crate) fn set(&self, value: BitValue) -> BitValue {
        // INVARIANT: The lock is held; bit 0 stays set until the guard drops. Tasks failing
        // to take the lock meanwhile only set bit 0 again, atomically. The old value's bit 0
        // is masked off.
        BitValue(self.locked.word.xchg(value.0 | LOCKED, Relaxed) & !LOCKED)
    }
}

impl Drop for BitGuard<'_> {
    fn drop(&mut self) {
        // SAFETY: The guard holds bit 0 of this valid word, taken with this live class;
        // releasing it wakes a waiter.
        unsafe { rzram_bit_unlock(self.class.raw.as_ptr(), self.locked.word.as_ptr()) };
    }
}
