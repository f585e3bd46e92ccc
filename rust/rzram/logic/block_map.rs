// SPDX-License-Identifier: GPL-2.0

//! Which blocks of the backing device hold a written-back page: a bitmap, as zram's
//! `zram->bitmap` (zram_drv.c `zram_reserve_bdev_block`).
//!
//! Pure logic, free of kernel types: the words come from the caller.

use core::ops::DerefMut;

const BITS: u64 = u64::BITS as u64;

/// The blocks of a backing device, each free or in use.
pub struct BlockMap<W> {
    /// One bit per block, set while the block is in use.
    words: W,
    blocks: u64,
    used: u64,
    /// Where the search for a free block starts: after the last block reserved.
    next: u64,
}

impl<W: DerefMut<Target = [u64]>> BlockMap<W> {
    /// The words a map of `blocks` needs.
    pub fn words_for(blocks: u64) -> Option<usize> {
        usize::try_from(blocks.div_ceil(BITS)).ok()
    }

    /// A map of `blocks`, all free, over `words` (zeroed, at least [`Self::words_for`]).
    pub fn new(mut words: W, blocks: u64) -> Option<Self> {
        if words.len() < Self::words_for(blocks)? {
            return None;
        }
        words.fill(0);
        Some(Self {
            words,
            blocks,
            used: 0,
            next: 0,
        })
    }

    /// Takes a free block; `None` if every block is in use.
    pub fn reserve(&mut self) -> Option<u64> {
        if self.used == self.blocks {
            return None;
        }
        let words = Self::words_for(self.blocks)?;
        let start = usize::try_from(self.next / BITS).ok()?;
        for i in (start..words).chain(0..start) {
            let word = self.words.get_mut(i)?;
            if *word == u64::MAX {
                continue;
            }
            let block = i as u64 * BITS + u64::from(word.trailing_ones());
            if block >= self.blocks {
                continue;
            }
            *word |= 1 << (block % BITS);
            self.used += 1;
            self.next = block + 1;
            return Some(block);
        }
        None
    }

    /// Frees `block`; `false` (and nothing changes) if it was not in use.
    pub fn release(&mut self, block: u64) -> bool {
        if block >= self.blocks {
            return false;
        }
        let Some(word) = usize::try_from(block / BITS)
            .ok()
            .and_then(|i| self.words.get_mut(i))
        else {
            return false;
        };
        let bit = 1 << (block % BITS);
        if *word & bit == 0 {
            return false;
        }
        *word &= !bit;
        self.used -= 1;
        true
    }

    /// The blocks in use.
    pub fn used(&self) -> u64 {
        self.used
    }
}
