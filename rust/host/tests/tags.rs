// SPDX-License-Identifier: GPL-2.0

//! Tag allocation, retransmission and reply matching.

use std::collections::HashSet;

use raoe_logic::{
    tags::*,
    wire::{
        build_ata_request,
        AtaCommand,
        AtaRequest,
        DropReason,
        Header,
        TAG_RESERVED_BIT, //
    },
};

fn table(capacity: usize) -> TagTable<Vec<TagSlot>> {
    TagTable::new(vec![TagSlot::EMPTY; capacity], 0)
}

#[test]
fn allocate_until_full() {
    let mut tags = table(4);
    let mut slots = HashSet::new();
    for _ in 0..4 {
        let (slot, tag) = tags.allocate().unwrap();
        assert!(slots.insert(slot));
        assert_eq!(tag & TAG_RESERVED_BIT, 0);
        assert_eq!(tags.current_tag(slot), Some(tag));
    }
    assert_eq!(tags.in_flight(), 4);
    assert_eq!(tags.allocate(), None);
    let empty = TagTable::new([TagSlot::EMPTY; 0], 0);
    assert_eq!(empty.capacity(), 0);
    let mut empty = empty;
    assert_eq!(empty.allocate(), None);
}

#[test]
fn reply_completes_once() {
    let mut tags = table(8);
    let (slot, tag) = tags.allocate().unwrap();
    assert_eq!(
        tags.complete(tag),
        Ok(TagMatch {
            slot,
            previous: false
        })
    );
    assert_eq!(tags.in_flight(), 0);
    assert_eq!(tags.current_tag(slot), None);
    // A duplicate reply, or one to a tag never issued, is unsolicited.
    assert_eq!(tags.complete(tag), Err(DropReason::UnsolicitedTag));
    assert_eq!(tags.complete(0x7fff_ffff), Err(DropReason::UnsolicitedTag));
    assert_eq!(
        tags.complete(tag | TAG_RESERVED_BIT),
        Err(DropReason::UnsolicitedTag)
    );
    // A slot index beyond the table.
    assert_eq!(tags.complete(100), Err(DropReason::UnsolicitedTag));
}

#[test]
fn find_leaves_the_frame_in_flight() {
    let mut tags = table(8);
    let (slot, tag) = tags.allocate().unwrap();
    let found = Ok(TagMatch {
        slot,
        previous: false,
    });
    // A reply that fails its checks after `find` must leave the tag to the real reply.
    assert_eq!(tags.find(tag), found);
    assert_eq!(tags.find(tag), found);
    assert_eq!(tags.in_flight(), 1);
    assert_eq!(tags.current_tag(slot), Some(tag));
    assert_eq!(tags.complete(tag), found);
    assert_eq!(tags.find(tag), Err(DropReason::UnsolicitedTag));
}

#[test]
fn retransmission_gets_a_new_tag_and_the_old_one_still_counts() {
    let mut tags = table(8);
    let (slot, first) = tags.allocate().unwrap();
    let second = tags.retransmit(slot).unwrap();
    assert_ne!(first, second);
    assert_eq!(tags.current_tag(slot), Some(second));
    // The late reply to the first transmission completes the frame, flagged as ambiguous.
    assert_eq!(
        tags.complete(first),
        Ok(TagMatch {
            slot,
            previous: true
        })
    );
    // Then the reply to the retransmission is a duplicate.
    assert_eq!(tags.complete(second), Err(DropReason::UnsolicitedTag));
    assert_eq!(tags.complete(first), Err(DropReason::UnsolicitedTag));
}

#[test]
fn two_retransmissions_old_is_stale() {
    let mut tags = table(8);
    let (slot, first) = tags.allocate().unwrap();
    let second = tags.retransmit(slot).unwrap();
    let third = tags.retransmit(slot).unwrap();
    assert_eq!(tags.complete(first), Err(DropReason::UnsolicitedTag));
    assert_eq!(tags.in_flight(), 1, "a stale reply frees nothing");
    assert_eq!(
        tags.complete(second),
        Ok(TagMatch {
            slot,
            previous: true
        })
    );
    assert_eq!(tags.complete(third), Err(DropReason::UnsolicitedTag));
}

#[test]
fn retransmit_and_release_need_a_busy_slot() {
    let mut tags = table(8);
    assert_eq!(tags.retransmit(0), None);
    assert_eq!(tags.retransmit(100), None);
    assert!(!tags.release(0));
    let (slot, tag) = tags.allocate().unwrap();
    let new = tags.retransmit(slot).unwrap();
    assert!(tags.release(slot));
    assert!(!tags.release(slot));
    assert_eq!(tags.in_flight(), 0);
    assert_eq!(tags.complete(tag), Err(DropReason::UnsolicitedTag));
    assert_eq!(tags.complete(new), Err(DropReason::UnsolicitedTag));
}

#[test]
fn freed_slots_are_not_reused_at_once() {
    let mut tags = table(8);
    let (slot, tag) = tags.allocate().unwrap();
    tags.complete(tag).unwrap();
    let (next, _) = tags.allocate().unwrap();
    assert_ne!(slot, next);
}

#[test]
fn tags_do_not_repeat() {
    let mut tags = table(64);
    let mut seen = HashSet::new();
    let mut in_flight = Vec::new();
    let mut rng = 0x2545_f491_4f6c_dd1du64;
    for _ in 0..1_000_000 {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        match rng % 4 {
            0 | 1 => {
                if let Some((slot, tag)) = tags.allocate() {
                    assert!(seen.insert(tag), "tag {tag:#x} reused");
                    in_flight.push(slot);
                }
            }
            2 if !in_flight.is_empty() => {
                let slot = in_flight[(rng >> 8) as usize % in_flight.len()];
                let tag = tags.retransmit(slot).unwrap();
                assert!(seen.insert(tag), "tag {tag:#x} reused");
            }
            _ if !in_flight.is_empty() => {
                let slot = in_flight.swap_remove((rng >> 8) as usize % in_flight.len());
                let tag = tags.current_tag(slot).unwrap();
                assert_eq!(tags.complete(tag).unwrap().slot, slot);
            }
            _ => {}
        }
        assert_eq!(tags.in_flight(), in_flight.len());
    }
    assert!(seen.iter().all(|tag| tag & TAG_RESERVED_BIT == 0));
}

#[test]
fn bit_31_never_set_and_sequences_wrap() {
    // One slot, so every issue bumps the same sequence through its wrap.
    let mut tags = TagTable::new([TagSlot::EMPTY; 1], u32::MAX);
    let (slot, mut tag) = tags.allocate().unwrap();
    let mut seen = HashSet::new();
    for _ in 0..(1 << 19) {
        assert_eq!(tag & TAG_RESERVED_BIT, 0);
        assert!(seen.insert(tag), "tag {tag:#x} repeated within 2^19 issues");
        tag = tags.retransmit(slot).unwrap();
    }
    assert!(seen.contains(&tag), "the sequence wraps after 2^19 issues");
}

#[test]
fn seed_changes_the_tags() {
    let mut a = TagTable::new([TagSlot::EMPTY; 4], 1);
    let mut b = TagTable::new([TagSlot::EMPTY; 4], 0x1234);
    assert_ne!(a.allocate().unwrap().1, b.allocate().unwrap().1);
    // Large tables use at most MAX_SLOTS slots.
    let big = TagTable::new(vec![TagSlot::EMPTY; MAX_SLOTS + 10], 0);
    assert_eq!(big.capacity(), MAX_SLOTS);
}

#[test]
fn every_issued_tag_goes_on_the_wire() {
    // The bit the wire format leaves to user space is aoe.ko's bit 31 (aoenet.c:143).
    assert_eq!(TAG_RESERVED_BIT, 1 << 31);
    // Seeded at the top of the sequence, so the issues below cross its wrap.
    let mut tags = TagTable::new([TagSlot::EMPTY; 2], u32::MAX);
    let (slot, mut tag) = tags.allocate().unwrap();
    for _ in 0..4 {
        let request = AtaRequest {
            header: Header {
                dst: [2; 6],
                src: [4; 6],
                shelf: 1,
                slot: 1,
                tag,
            },
            command: AtaCommand::Read,
            lba: 0,
            sectors: 1,
            lba48: false,
        };
        let mut frame = [0u8; 64];
        assert!(
            build_ata_request(&mut frame, &request).is_ok(),
            "tag {tag:#x} refused by the frame builder"
        );
        tag = tags.retransmit(slot).unwrap();
    }
}
