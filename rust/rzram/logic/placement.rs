// SPDX-License-Identifier: GPL-2.0

//! Where a page goes in the pool, and which pages a bio's range touches, for any page size.
//!
//! Pure logic, free of kernel types: the module uses [`Geometry`] with the kernel's page and
//! sector sizes, the host tests with several.

use core::ops::Range;

/// A range that does not lie on the device, or a piece of a bio that crosses a page.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct OutOfRange;

/// The sizes of a device's pages, the unit it stores, and of its sectors, the unit bios
/// address.
///
/// # Invariants
///
/// `sector_shift <= page_shift < usize::BITS`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Geometry {
    page_shift: u32,
    sector_shift: u32,
}

/// A piece of a bio within one page of the device.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Span {
    /// The page.
    pub page: u64,
    /// The page's first sector.
    pub page_sector: u64,
    /// The piece's bytes within the page.
    pub bytes: Range<usize>,
    /// Whether the piece is the whole page.
    pub whole_page: bool,
}

/// How a compressed page is stored.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Placement {
    /// As its `len` compressed bytes.
    Compressed(usize),
    /// As the page itself: compression saved nothing, since objects of at least
    /// `huge_class_size` bytes take a whole page anyway.
    Raw,
}

impl Geometry {
    /// Pages of `page_size` bytes addressed in sectors of `sector_size` bytes.
    ///
    /// # Panics
    ///
    /// Unless both are powers of two and a page holds whole sectors; in a `const` item this
    /// fails the build instead.
    pub const fn new(page_size: usize, sector_size: usize) -> Self {
        assert!(page_size.is_power_of_two() && sector_size.is_power_of_two());
        assert!(sector_size <= page_size);
        // INVARIANT: Powers of two in a `usize`, the sector no larger than the page.
        Self {
            page_shift: page_size.trailing_zeros(),
            sector_shift: sector_size.trailing_zeros(),
        }
    }

    /// The bytes of a page.
    pub const fn page_size(self) -> usize {
        1 << self.page_shift
    }

    /// The sectors of a page.
    pub const fn sectors_per_page(self) -> u64 {
        1 << (self.page_shift - self.sector_shift)
    }

    /// The pages that hold `bytes` bytes.
    pub const fn pages_for(self, bytes: u64) -> u64 {
        bytes.div_ceil(1 << self.page_shift)
    }

    /// The bytes of `pages` pages, if they fit a `u64`.
    pub const fn bytes_of(self, pages: u64) -> Option<u64> {
        pages.checked_mul(1 << self.page_shift)
    }

    /// The sectors of `pages` pages, if they fit a `u64`.
    pub const fn sectors_of(self, pages: u64) -> Option<u64> {
        pages.checked_mul(self.sectors_per_page())
    }

    /// The piece of `len` bytes from `sector` on a device of `pages` pages; an error unless
    /// it lies within one page of the device.
    pub fn span(self, sector: u64, len: usize, pages: u64) -> Result<Span, OutOfRange> {
        let page = sector >> (self.page_shift - self.sector_shift);
        if page >= pages {
            return Err(OutOfRange);
        }
        let sector_in_page = sector & (self.sectors_per_page() - 1);
        // Below a page, which a `usize` holds: the conversion and the shift cannot overflow.
        let offset = usize::try_from(sector_in_page).map_err(|_| OutOfRange)? << self.sector_shift;
        let end = offset
            .checked_add(len)
            .filter(|&end| end <= self.page_size())
            .ok_or(OutOfRange)?;
        Ok(Span {
            page,
            page_sector: sector - sector_in_page,
            bytes: offset..end,
            whole_page: len == self.page_size(),
        })
    }

    /// The pages wholly inside the `bytes` bytes from `sector`, on a device of `pages` pages:
    /// a discard frees those and leaves a partly covered page alone (zram's
    /// `zram_bio_discard`); an error unless the range lies on the device.
    pub fn whole_pages(
        self,
        sector: u64,
        bytes: u64,
        pages: u64,
    ) -> Result<Range<u64>, OutOfRange> {
        let start = sector
            .checked_mul(1 << self.sector_shift)
            .ok_or(OutOfRange)?;
        let end = start.checked_add(bytes).ok_or(OutOfRange)?;
        if self.pages_for(end) > pages {
            return Err(OutOfRange);
        }
        let first = self.pages_for(start);
        let last = end >> self.page_shift;
        Ok(first..last.max(first))
    }

    /// The placement of a page that compressed to `len` bytes.
    pub fn placement(self, len: usize, huge_class_size: usize) -> Placement {
        if len >= huge_class_size || len >= self.page_size() {
            Placement::Raw
        } else {
            Placement::Compressed(len)
        }
    }
}
