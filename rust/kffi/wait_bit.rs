// SPDX-License-Identifier: GPL-2.0

//! A word whose bit 0 is a sleeping lock guarding the other bits, over `wait_bit.c`: one word
//! per lock, as zram's slot lock, where 7.3's Rust locks need a whole `struct mutex`.
//!
//! C header: [`include/linux/wait_bit.h`](srctree/include/linux/wait_bit.h).

use kernel::{
    ffi::c_ulong,
    prelude::*,
    sync::atomic::{
        Atomic,
        Relaxed, //
    },
};

extern "C" {
    fn kffi_bit_lock(word: *mut c_ulong);
    fn kffi_bit_trylock(word: *mut c_ulong) -> bool;
    fn kffi_bit_unlock(word: *mut c_ulong);
}

/// The lock bit.
const LOCKED: c_ulong = 1;

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
    pub(crate) fn lock(&self) -> BitGuard<'_> {
        // SAFETY: `word` is a valid, aligned `unsigned long` that lives as long as `self`.
        unsafe { kffi_bit_lock(self.word.as_ptr()) };
        BitGuard { locked: self }
    }

    /// Locks the word if it is free; never sleeps.
    pub(crate) fn try_lock(&self) -> Option<BitGuard<'_>> {
        // SAFETY: `word` is a valid, aligned `unsigned long` that lives as long as `self`.
        let taken = unsafe { kffi_bit_trylock(self.word.as_ptr()) };
        taken.then_some(BitGuard { locked: self })
    }

    /// The value, for an owner with exclusive access (no lock needed).
    pub(crate) fn get_mut(&mut self) -> c_ulong {
        *self.word.get_mut() & !LOCKED
    }
}

/// A held [`BitLocked`]; unlocks on drop.
pub(crate) struct BitGuard<'a> {
    locked: &'a BitLocked,
}

impl BitGuard<'_> {
    /// The value.
    pub(crate) fn get(&self) -> c_ulong {
        self.locked.word.load(Relaxed) & !LOCKED
    }

    /// Replaces the value, which must have bit 0 clear, and returns the old one.
    pub(crate) fn set(&self, value: c_ulong) -> Result<c_ulong> {
        if value & LOCKED != 0 {
            return Err(EINVAL);
        }
        // INVARIANT: The lock is held; bit 0 stays set until the guard drops. Tasks failing
        // to take the lock meanwhile only set bit 0 again, atomically.
        Ok(self.locked.word.xchg(value | LOCKED, Relaxed) & !LOCKED)
    }
}

impl Drop for BitGuard<'_> {
    fn drop(&mut self) {
        // SAFETY: The guard holds bit 0 of this valid word; releasing it wakes a waiter.
        unsafe { kffi_bit_unlock(self.locked.word.as_ptr()) };
    }
}
