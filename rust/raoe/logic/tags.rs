// SPDX-License-Identifier: GPL-2.0

//! Tags of the frames in flight: which frame slot a reply's tag belongs to.
//!
//! A tag is `sequence << SLOT_BITS | slot`: the low 12 bits name the slot and the next 19 bits
//! count the tags that slot has been given, so a slot's tag repeats only after 2^19 issues.
//! Bit 31 stays clear for user space, as in aoe.ko (aoecmd.c:113-125), whose tags carry the
//! send time in the low 16 bits and a per-device counter above; here the send time lives with
//! the frame and the lookup is a mask, not a hash (aoecmd.c:94-111).
//!
//! A retransmission gives the slot a new tag and keeps the previous one, so a late reply to
//! the previous tag still completes the frame. aoe.ko forgets the old tag on resend
//! (aoecmd.c:487) and logs such a reply as "unexpected rsp" (aoecmd.c:1335-1349).

use core::borrow::BorrowMut;

use super::wire::{
    DropReason,
    TAG_RESERVED_BIT, //
};

/// The number of low tag bits that name the slot.
pub const SLOT_BITS: u32 = 12;
/// The most slots a table uses.
pub const MAX_SLOTS: usize = 1 << SLOT_BITS;
/// The mask of the slot bits of a tag.
const SLOT_MASK: u32 = (1 << SLOT_BITS) - 1;
/// The mask of the sequence, once shifted down.
const SEQUENCE_MASK: u32 = (TAG_RESERVED_BIT >> SLOT_BITS) - 1;
/// The value of a tag field that holds no tag; it has bit 31 set so no reply can match it.
const NO_TAG: u32 = u32::MAX;

/// The tag state of one frame slot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TagSlot {
    /// The tag of the last transmission, or `NO_TAG` when the slot is free.
    current: u32,
    /// The tag of the transmission before the last, or `NO_TAG`.
    previous: u32,
    /// The sequence of the last tag issued to this slot.
    sequence: u32,
}

impl TagSlot {
    /// A free slot that has issued no tag.
    pub const EMPTY: TagSlot = TagSlot {
        current: NO_TAG,
        previous: NO_TAG,
        sequence: 0,
    };

    /// Whether a frame is in flight in this slot.
    fn busy(&self) -> bool {
        self.current != NO_TAG
    }

    /// Forgets the slot's tags, keeping its sequence.
    fn free(&mut self) {
        self.current = NO_TAG;
        self.previous = NO_TAG;
    }
}

impl Default for TagSlot {
    fn default() -> Self {
        TagSlot::EMPTY
    }
}

/// Where a reply's tag led.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TagMatch {
    /// The slot of the frame, now free.
    pub slot: usize,
    /// Whether the reply answers the transmission before the last, so its round trip is
    /// unknown (Karn's rule: no RTT sample).
    pub previous: bool,
}

/// A fixed-capacity table of frame slots, over storage the caller provides.
///
/// The storage is anything that lends a slice of `TagSlot`: an array, or a vector allocated
/// once when the device is created; the table never allocates.
pub struct TagTable<S> {
    /// The slots; only the first `capacity` are used.
    slots: S,
    /// The number of usable slots, at most `MAX_SLOTS`.
    capacity: usize,
    /// Where the search for a free slot starts, so that a freed slot is not reused at once.
    cursor: usize,
    /// The number of busy slots.
    in_flight: usize,
}

impl<S: BorrowMut<[TagSlot]>> TagTable<S> {
    /// Makes a table of all the slots in `slots`, up to `MAX_SLOTS`, all freed.
    ///
    /// `seed` sets where the slots' sequences start; a random seed makes a late reply meant for
    /// an earlier instance of the device unlikely to match a new tag.
    pub fn new(mut slots: S, seed: u32) -> Self {
        let all: &mut [TagSlot] = slots.borrow_mut();
        let capacity = all.len().min(MAX_SLOTS);
        for slot in all.iter_mut() {
            *slot = TagSlot {
                sequence: seed & SEQUENCE_MASK,
                ..TagSlot::EMPTY
            };
        }
        TagTable {
            slots,
            capacity,
            cursor: 0,
            in_flight: 0,
        }
    }

    /// The number of usable slots.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// The number of frames in flight.
    pub fn in_flight(&self) -> usize {
        self.in_flight
    }

    /// The usable slots.
    fn slots(&self) -> &[TagSlot] {
        let all: &[TagSlot] = self.slots.borrow();
        all.get(..self.capacity).unwrap_or_default()
    }

    /// The usable slots, mutably.
    fn slots_mut(&mut self) -> &mut [TagSlot] {
        let all: &mut [TagSlot] = self.slots.borrow_mut();
        all.get_mut(..self.capacity).unwrap_or_default()
    }

    /// Gives the slot at `index` a fresh tag, keeping the last one as the previous.
    fn issue(&mut self, index: usize) -> Option<u32> {
        let slot = self.slots_mut().get_mut(index)?;
        let index = u32::try_from(index).ok()?;
        slot.sequence = slot.sequence.wrapping_add(1) & SEQUENCE_MASK;
        slot.previous = slot.current;
        slot.current = (slot.sequence << SLOT_BITS) | index;
        Some(slot.current)
    }

    /// Takes a free slot for a new frame and returns it with the frame's tag.
    pub fn allocate(&mut self) -> Option<(usize, u32)> {
        let capacity = self.capacity;
        let start = self.cursor;
        let index = (0..capacity)
            .map(|offset| (start + offset) % capacity)
            .find(|&index| self.slots().get(index).is_some_and(|slot| !slot.busy()))?;
        let tag = self.issue(index)?;
        self.cursor = (index + 1) % capacity;
        self.in_flight += 1;
        Some((index, tag))
    }

    /// Gives the frame in `slot` a new tag for its retransmission; `None` if it is not busy.
    ///
    /// A reply to the tag it had until now is still accepted; one to any older tag is not.
    pub fn retransmit(&mut self, slot: usize) -> Option<u32> {
        if !self.slots().get(slot)?.busy() {
            return None;
        }
        self.issue(slot)
    }

    /// The tag of the last transmission of the frame in `slot`, if it is busy.
    pub fn current_tag(&self, slot: usize) -> Option<u32> {
        self.slots()
            .get(slot)
            .filter(|slot| slot.busy())
            .map(|slot| slot.current)
    }

    /// Finds the frame a reply's tag answers, leaving it busy: a reply is checked against its
    /// frame before it may complete it, so a forged or malformed reply cannot take a tag away
    /// from the real one.
    ///
    /// The tag must be the current or the previous one of a busy slot; anything else, including
    /// a second reply to a frame already completed, is `DropReason::UnsolicitedTag`.
    pub fn find(&self, tag: u32) -> Result<TagMatch, DropReason> {
        // This also keeps `NO_TAG`, which marks an empty field, from ever matching.
        if tag & TAG_RESERVED_BIT != 0 {
            return Err(DropReason::UnsolicitedTag);
        }
        let index = usize::try_from(tag & SLOT_MASK).map_err(|_| DropReason::UnsolicitedTag)?;
        let slot = self
            .slots()
            .get(index)
            .filter(|slot| slot.busy())
            .ok_or(DropReason::UnsolicitedTag)?;
        let previous = if tag == slot.current {
            false
        } else if tag == slot.previous {
            true
        } else {
            return Err(DropReason::UnsolicitedTag);
        };
        Ok(TagMatch {
            slot: index,
            previous,
        })
    }

    /// Finds the frame a reply's tag answers, as [`TagTable::find`], and frees its slot.
    pub fn complete(&mut self, tag: u32) -> Result<TagMatch, DropReason> {
        let matched = self.find(tag)?;
        self.release(matched.slot);
        Ok(matched)
    }

    /// Frees `slot` without a reply, when its frame failed or its device went down.
    ///
    /// Returns whether the slot was busy; later replies to its tags are unsolicited.
    pub fn release(&mut self, slot: usize) -> bool {
        let Some(slot) = self.slots_mut().get_mut(slot).filter(|slot| slot.busy()) else {
            return false;
        };
        slot.free();
        self.in_flight -= 1;
        true
    }
}
