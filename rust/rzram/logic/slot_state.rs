// SPDX-License-Identifier: GPL-2.0

//! What the driver knows of one page of the device, packed into one word of its slot, as zram
//! packs its flags beside the object size (zram_drv.h `zram_pageflags`).
//!
//! Pure logic, free of kernel types.

/// How a page is kept.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Kind {
    /// Nothing: reads as zeros.
    Empty = 0,
    /// One repeated word, kept in the slot; no object.
    Same = 1,
    /// Compressed, in an object of `size` bytes.
    Compressed = 2,
    /// Raw, in an object of a page: it did not compress enough.
    Huge = 3,
    /// On the backing device, decompressed: a block holds the page (it was [`Kind::Compressed`]).
    WrittenBack = 4,
    /// On the backing device, raw: a block holds the page (it was [`Kind::Huge`]).
    WrittenBackHuge = 5,
    /// On the backing device, compressed: a block starts with the `size` bytes of the object
    /// (`compressed_writeback`).
    WrittenBackCompressed = 6,
}

impl Kind {
    /// Every kind.
    pub const ALL: [Kind; 7] = [
        Kind::Empty,
        Kind::Same,
        Kind::Compressed,
        Kind::Huge,
        Kind::WrittenBack,
        Kind::WrittenBackHuge,
        Kind::WrittenBackCompressed,
    ];

    /// Whether a block of the backing device holds the page.
    pub fn written_back(self) -> bool {
        matches!(
            self,
            Kind::WrittenBack | Kind::WrittenBackHuge | Kind::WrittenBackCompressed
        )
    }

    /// Whether the page did not compress enough (zram's `ZRAM_HUGE`, kept through writeback).
    pub fn huge(self) -> bool {
        matches!(self, Kind::Huge | Kind::WrittenBackHuge)
    }

    /// The kind of the page once a block holds what its object holds now (`None`: it has
    /// no object to write back), decompressed unless `compressed` (`compressed_writeback`).
    pub fn after_writeback(self, compressed: bool) -> Option<Kind> {
        match self {
            Kind::Compressed if compressed => Some(Kind::WrittenBackCompressed),
            Kind::Compressed => Some(Kind::WrittenBack),
            Kind::Huge => Some(Kind::WrittenBackHuge),
            _ => None,
        }
    }
}

/// The state of a slot.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct SlotState {
    /// How the page is kept.
    pub kind: Kind,
    /// The bytes of its object (compressed or raw), or of the object a block holds.
    pub size: u32,
    /// The priority of the algorithm that compressed it: 0 the primary, then recompression's.
    pub priority: u8,
    /// Not read or written since the last `idle` marking (`ZRAM_IDLE`).
    pub idle: bool,
    /// No algorithm compressed it well enough (`ZRAM_INCOMPRESSIBLE`).
    pub incompressible: bool,
    /// Chosen by a writeback in progress (`ZRAM_PP_SLOT`); storing or freeing the page
    /// clears it, which tells the writeback that its copy is stale.
    pub selected: bool,
}

/// The bits of the packed word: kind, priority, the three flags, then the size.
const KIND_BITS: u32 = 3;
const PRIORITY_SHIFT: u32 = KIND_BITS;
const PRIORITY_MASK: u32 = SlotState::MAX_PRIORITY as u32;
const IDLE: u32 = 1 << 5;
const INCOMPRESSIBLE: u32 = 1 << 6;
const SELECTED: u32 = 1 << 7;
const SIZE_SHIFT: u32 = 8;

impl SlotState {
    /// An empty slot.
    pub const EMPTY: SlotState = SlotState::new(Kind::Empty, 0);

    /// The largest object size the packed word holds.
    pub const MAX_SIZE: u32 = u32::MAX >> SIZE_SHIFT;

    /// The largest priority the packed word holds.
    pub const MAX_PRIORITY: u8 = 0x3;

    /// A page of `kind` with an object of `size` bytes, of the primary algorithm, no flags.
    pub const fn new(kind: Kind, size: u32) -> Self {
        Self {
            kind,
            size,
            priority: 0,
            idle: false,
            incompressible: false,
            selected: false,
        }
    }

    /// The packed word; `None` if the size or the priority does not fit.
    pub fn pack(&self) -> Option<u32> {
        if self.size > Self::MAX_SIZE || self.priority > Self::MAX_PRIORITY {
            return None;
        }
        let flag = |set: bool, bit: u32| if set { bit } else { 0 };
        Some(
            self.kind as u32
                | u32::from(self.priority) << PRIORITY_SHIFT
                | flag(self.idle, IDLE)
                | flag(self.incompressible, INCOMPRESSIBLE)
                | flag(self.selected, SELECTED)
                | self.size << SIZE_SHIFT,
        )
    }

    /// The state a word from [`SlotState::pack`] holds (an unknown kind reads as empty).
    pub fn unpack(word: u32) -> Self {
        let kind = Kind::ALL
            .get((word & ((1 << KIND_BITS) - 1)) as usize)
            .copied()
            .unwrap_or(Kind::Empty);
        Self {
            kind,
            size: word >> SIZE_SHIFT,
            // Two bits: always fits.
            priority: u8::try_from((word >> PRIORITY_SHIFT) & PRIORITY_MASK).unwrap_or(0),
            idle: word & IDLE != 0,
            incompressible: word & INCOMPRESSIBLE != 0,
            selected: word & SELECTED != 0,
        }
    }
}
