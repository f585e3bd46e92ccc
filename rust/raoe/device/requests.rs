// SPDX-License-Identifier: GPL-2.0

//! What the driver keeps of a request being worked on, and how a done request ends.
//!
//! When a request may end is `logic::requests`'s to say; the requests it hands out are ended
//! after the device lock is dropped.

use crate::{
    logic::requests::{
        Ended,
        Tracked, //
    },
    logic::wire::{
        self,
        AtaCommand,
        AtaRequest, //
    },
    sys::blk::Request,
};
use kernel::{
    alloc::kvec::PushError,
    block::SECTOR_SIZE,
    prelude::*, //
};

// A request's sectors are the frames' AoE sectors: the wire sector is the kernel's.
const _: () = assert!(wire::SECTOR_SIZE == SECTOR_SIZE as usize);

/// A request being worked on, as the driver knows it.
pub(super) struct Work {
    /// The request.
    pub(super) request: Request,
    /// Read, write or flush.
    pub(super) command: AtaCommand,
    /// The request's first sector, to place each frame's data.
    pub(super) first_sector: u64,
}

impl Work {
    /// The byte range of the request that the frame `ata` carries.
    pub(super) fn data_range(&self, ata: &AtaRequest) -> Result<(u32, u32)> {
        let offset = ata
            .lba
            .checked_sub(self.first_sector)
            .and_then(|sectors| sectors.checked_mul(u64::from(SECTOR_SIZE)))
            .ok_or(EINVAL)?;
        let offset = u32::try_from(offset).map_err(|_| EINVAL)?;
        Ok((offset, u32::from(ata.sectors) * SECTOR_SIZE))
    }
}

/// Done requests, taken under the lock to be ended after it. A request that finds no room (an
/// allocation failed) stays in the table until the next tick's sweep.
impl Ended<Work> for KVec<Tracked<Work>> {
    fn take(&mut self, done: Tracked<Work>) -> Result<(), Tracked<Work>> {
        if self.reserve(1, GFP_ATOMIC).is_err() {
            return Err(done);
        }
        self.push_within_capacity(done)
            .map_err(|PushError(done)| done)
    }
}

/// Ends a done request: with an error if any of its frames failed.
pub(super) fn end(done: Tracked<Work>) {
    let result = if done.failed() { Err(EIO) } else { Ok(()) };
    done.into_handle().request.end(result);
}
