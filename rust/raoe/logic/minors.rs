// SPDX-License-Identifier: GPL-2.0

//! Which minors of block major 152 a device's disk gets, as aoe.ko gives them (aoedev.c): with
//! `aoe_dyndevs=1` (the default) the lowest free run, in the order devices appear; with
//! `aoe_dyndevs=0` the fixed run of shelf.slot, `(shelf * 16 + slot) * 16`, which is what
//! `aoe-mkshelf` gives the nodes it makes on systems without udev.

/// Minors of one disk: the disk and 15 partitions (aoe.ko's `AOE_PARTITIONS`).
pub const MINORS_PER_DISK: u32 = 16;

/// Slots per shelf that have fixed minors (aoe.ko's `NPERSHELF`).
pub const FIXED_SLOTS_PER_SHELF: u8 = 16;

/// Disks whose minors fit in the 20 minor bits (aoe.ko's `N_DEVS`).
pub const MAX_DISKS: usize = (1 << 20) / MINORS_PER_DISK as usize;

/// How disks are numbered (the `aoe_dyndevs` parameter).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Numbering {
    /// The lowest free run (`aoe_dyndevs=1`).
    Dynamic,
    /// The run of shelf.slot (`aoe_dyndevs=0`).
    Fixed,
}

impl Numbering {
    /// The numbering `aoe_dyndevs` selects: 0 is fixed, anything else dynamic, as in aoe.ko.
    pub fn from_param(aoe_dyndevs: i32) -> Self {
        if aoe_dyndevs == 0 {
            Numbering::Fixed
        } else {
            Numbering::Dynamic
        }
    }
}

/// Why a disk gets no minors. The texts are aoe.ko's messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MinorError {
    /// Every run is taken.
    NoneFree,
    /// Fixed numbering has runs for slots 0-15 only.
    SlotOutOfRange,
    /// The shelf's fixed run is past the last minor.
    ShelfOutOfRange,
    /// Another disk holds the fixed run (it was made while numbering was dynamic).
    Taken(usize),
}

impl core::fmt::Display for MinorError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            MinorError::NoneFree => write!(f, "no free minor device numbers"),
            MinorError::SlotOutOfRange => write!(
                f,
                "static minor device numbers support only {FIXED_SLOTS_PER_SHELF} slots per shelf"
            ),
            MinorError::ShelfOutOfRange => write!(f, "cannot use static minor device numbers"),
            MinorError::Taken(index) => {
                write!(f, "existing device already has static minor number {index}")
            }
        }
    }
}

/// The disk index (its first minor over [`MINORS_PER_DISK`]) of shelf.slot, where `taken`
/// says whether another disk holds an index.
pub fn disk_index(
    numbering: Numbering,
    shelf: u16,
    slot: u8,
    taken: impl Fn(usize) -> bool,
) -> Result<usize, MinorError> {
    match numbering {
        Numbering::Dynamic => (0..MAX_DISKS)
            .find(|&index| !taken(index))
            .ok_or(MinorError::NoneFree),
        Numbering::Fixed => {
            if slot >= FIXED_SLOTS_PER_SHELF {
                return Err(MinorError::SlotOutOfRange);
            }
            let index = usize::from(shelf) * usize::from(FIXED_SLOTS_PER_SHELF) + usize::from(slot);
            if index >= MAX_DISKS {
                Err(MinorError::ShelfOutOfRange)
            } else if taken(index) {
                Err(MinorError::Taken(index))
            } else {
                Ok(index)
            }
        }
    }
}

/// The first minor of the disk with index `index` (below [`MAX_DISKS`]).
pub fn first_minor(index: usize) -> Option<u32> {
    if index >= MAX_DISKS {
        return None;
    }
    u32::try_from(index).ok()?.checked_mul(MINORS_PER_DISK)
}
