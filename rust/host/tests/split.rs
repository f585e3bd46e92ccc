// SPDX-License-Identifier: GPL-2.0

//! Splitting requests into frames and the addressing limits.

use raoe_logic::split::*;

fn frames(start: u64, sectors: u32, payload: u32, lba48: bool) -> Vec<(u64, u8)> {
    let frames = split(start, sectors, payload, lba48).unwrap();
    let len = frames.len();
    let all: Vec<_> = frames.collect();
    assert_eq!(all.len(), len, "size_hint is exact");
    all
}

/// Checks that the frames cover the range in order without gaps.
fn assert_covers(all: &[(u64, u8)], start: u64, sectors: u32, per_frame: u8) {
    let mut next = start;
    for &(lba, count) in all {
        assert_eq!(lba, next);
        assert!(count >= 1 && count <= per_frame);
        next += u64::from(count);
    }
    assert_eq!(next, start + u64::from(sectors));
}

#[test]
fn ten_mib_at_1024_and_8704() {
    let sectors = 10 * 1024 * 1024 / 512;
    let small = frames(0, sectors, 1024, true);
    assert_eq!(small.len(), 10240);
    assert!(small.iter().all(|&(_, count)| count == 2));
    assert_covers(&small, 0, sectors, 2);
    let jumbo = frames(1000, sectors, 8704, true);
    assert_eq!(jumbo.len(), 20480usize.div_ceil(17));
    assert_eq!(jumbo.last(), Some(&(1000 + 1204 * 17, 12)));
    assert_covers(&jumbo, 1000, sectors, 17);
}

#[test]
fn small_and_empty_requests() {
    assert_eq!(frames(5, 0, 1024, false), vec![]);
    assert_eq!(frames(5, 1, 1024, false), vec![(5, 1)]);
    assert_eq!(frames(5, 3, 1024, false), vec![(5, 2), (7, 1)]);
    assert_eq!(frames(5, 34, 8704, false), vec![(5, 17), (22, 17)]);
}

#[test]
fn sectors_per_frame_limits() {
    assert_eq!(sectors_per_frame(1024), 2);
    assert_eq!(sectors_per_frame(8704), 17);
    assert_eq!(sectors_per_frame(8705), 17);
    assert_eq!(sectors_per_frame(0), 1);
    assert_eq!(sectors_per_frame(511), 1);
    assert_eq!(sectors_per_frame(255 * 512), 255);
    assert_eq!(sectors_per_frame(u32::MAX), 255);
    let huge = frames(0, 1000, u32::MAX, true);
    assert_eq!(huge, vec![(0, 255), (255, 255), (510, 255), (765, 235)]);
}

#[test]
fn lba28_and_lba48_limits() {
    let lba28 = 1u64 << 28;
    assert_eq!(check_range(lba28 - 8, 8, false), Ok(()));
    assert_eq!(
        check_range(lba28 - 8, 9, false),
        Err(SplitError::BeyondLba28)
    );
    assert_eq!(check_range(lba28, 1, false), Err(SplitError::BeyondLba28));
    assert_eq!(check_range(lba28, 1, true), Ok(()));
    let lba48 = 1u64 << 48;
    assert_eq!(check_range(lba48 - 1, 1, true), Ok(()));
    assert_eq!(
        check_range(lba48 - 1, 2, true),
        Err(SplitError::BeyondLba48)
    );
    assert_eq!(
        check_range(u64::MAX, u32::MAX, true),
        Err(SplitError::BeyondLba48)
    );
    assert_eq!(
        split(lba28, 8, 1024, false).err(),
        Some(SplitError::BeyondLba28)
    );
    // The last LBA28 frames end exactly at the limit.
    let tail = frames(lba28 - 3, 3, 1024, false);
    assert_eq!(tail, vec![(lba28 - 3, 2), (lba28 - 1, 1)]);
}

#[test]
fn every_length_is_covered() {
    for per_frame_bytes in [512, 1024, 8704, 3 * 512] {
        for sectors in 0..200 {
            let all = frames(77, sectors, per_frame_bytes, true);
            assert_covers(&all, 77, sectors, sectors_per_frame(per_frame_bytes));
        }
    }
}
