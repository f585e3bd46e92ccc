// SPDX-License-Identifier: GPL-2.0

//! Splitting a request's sectors into frames.
//!
//! aoe.ko cuts each bio into frames of at most the device payload (aoecmd.c:380-391); here the
//! cut is over a sector range, and the range is checked against the addressing mode first.

use super::wire::{
    LBA28_LIMIT,
    LBA48_LIMIT,
    SECTOR_SIZE, //
};

/// Why a sector range cannot be sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SplitError {
    /// The range ends beyond sector 2^28 on a device without LBA48.
    BeyondLba28,
    /// The range ends beyond sector 2^48.
    BeyondLba48,
}

/// The most sectors one frame carries for a payload of `payload_bytes`: 1 to 255.
///
/// The AoE sector count is one byte; a payload below one sector still carries one, as aoe.ko's
/// smallest payload is two sectors anyway.
pub fn sectors_per_frame(payload_bytes: u32) -> u8 {
    let sector = u32::try_from(SECTOR_SIZE).unwrap_or(u32::MAX);
    u8::try_from(payload_bytes / sector)
        .unwrap_or(u8::MAX)
        .max(1)
}

/// Checks that `sectors` sectors from `start` are addressable by the device's commands.
pub fn check_range(start: u64, sectors: u32, lba48: bool) -> Result<(), SplitError> {
    let (limit, error) = if lba48 {
        (LBA48_LIMIT, SplitError::BeyondLba48)
    } else {
        (LBA28_LIMIT, SplitError::BeyondLba28)
    };
    match start.checked_add(u64::from(sectors)) {
        Some(end) if end <= limit => Ok(()),
        _ => Err(error),
    }
}

/// Checks a range with `check_range`, then splits it into frames of at most
/// `sectors_per_frame(payload_bytes)` sectors.
pub fn split(
    start: u64,
    sectors: u32,
    payload_bytes: u32,
    lba48: bool,
) -> Result<Frames, SplitError> {
    check_range(start, sectors, lba48)?;
    Ok(Frames {
        next: start,
        remaining: sectors,
        per_frame: sectors_per_frame(payload_bytes),
    })
}

/// The frames of a request, as `(first sector, sector count)`, in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Frames {
    /// The first sector of the next frame.
    next: u64,
    /// The sectors not yet in a frame.
    remaining: u32,
    /// The most sectors in one frame, at least 1.
    per_frame: u8,
}

impl Frames {
    /// The one frame of a command without data, such as a flush.
    pub fn single() -> Self {
        Frames {
            next: 0,
            remaining: 1,
            per_frame: 1,
        }
    }

    /// Drops the frames not yet sent, when their request fails.
    pub fn clear(&mut self) {
        self.remaining = 0;
    }
}

impl Iterator for Frames {
    type Item = (u64, u8);

    fn next(&mut self) -> Option<(u64, u8)> {
        if self.remaining == 0 {
            return None;
        }
        let count =
            u8::try_from(self.remaining).map_or(self.per_frame, |left| left.min(self.per_frame));
        let frame = (self.next, count);
        // `split` checked that the whole range fits in 48 bits.
        self.next = self.next.saturating_add(u64::from(count));
        self.remaining = self.remaining.saturating_sub(u32::from(count));
        Some(frame)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let per_frame = u32::from(self.per_frame.max(1));
        let frames = usize::try_from(self.remaining.div_ceil(per_frame)).unwrap_or(usize::MAX);
        (frames, Some(frames))
    }
}

impl ExactSizeIterator for Frames {}
