// SPDX-License-Identifier: GPL-2.0

//! Where a page goes in the pool, and which pages a bio's range touches.
//!
//! Pure logic, free of kernel types.

use core::ops::Range;

/// The bytes of a page, and of a slot.
pub const PAGE: usize = 4096;

/// The 512-byte sectors of a page.
pub const SECTORS_PER_PAGE: u64 = (PAGE / 512) as u64;

/// How a compressed page is stored.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Placement {
    /// As its `len` compressed bytes.
    Compressed(usize),
    /// As the page itself: compression saved nothing, since objects of at least
    /// `huge_class_size` bytes take a whole page anyway.
    Raw,
}

impl Placement {
    /// The placement of a page that compressed to `len` bytes.
    pub fn of(len: usize, huge_class_size: usize) -> Self {
        if len >= huge_class_size || len >= PAGE {
            Placement::Raw
        } else {
            Placement::Compressed(len)
        }
    }
}

/// The page `sector` lies in, and the byte offset of the sector in it.
pub fn page_of(sector: u64) -> (u64, usize) {
    // Below `PAGE`, so it always converts.
    let offset = usize::try_from((sector % SECTORS_PER_PAGE) * 512).unwrap_or(0);
    (sector / SECTORS_PER_PAGE, offset)
}

/// The pages wholly inside `bytes` bytes from `sector`: a discard frees those and leaves a
/// partly covered page alone (zram's `zram_bio_discard`).
pub fn whole_pages(sector: u64, bytes: u64) -> Range<u64> {
    let start_byte = sector.saturating_mul(512);
    let end_byte = start_byte.saturating_add(bytes);
    let page = PAGE as u64;
    let first = start_byte.div_ceil(page);
    let end = end_byte / page;
    first..end.max(first)
}
