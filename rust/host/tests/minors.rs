// SPDX-License-Identifier: GPL-2.0

//! The minors of a device's disk, dynamic and fixed (`aoe_dyndevs`), as aoe.ko numbers them.

use raoe_logic::minors::*;

#[test]
fn dynamic_takes_the_lowest_free_run() {
    assert_eq!(disk_index(Numbering::Dynamic, 0, 1, |_| false), Ok(0));
    assert_eq!(disk_index(Numbering::Dynamic, 7, 3, |i| i < 2), Ok(2));
    assert_eq!(disk_index(Numbering::Dynamic, 0, 1, |i| i != 5), Ok(5));
    assert_eq!(
        disk_index(Numbering::Dynamic, 0, 1, |_| true),
        Err(MinorError::NoneFree)
    );
}

#[test]
fn fixed_is_the_run_aoe_mkshelf_gives_the_nodes() {
    // aoe-mkshelf: minor = 16 * shelf * n_partitions, then one per partition and slot.
    for (shelf, slot) in [(0u16, 0u8), (0, 1), (1, 0), (9, 15), (4095, 15)] {
        let mkshelf_minor = 16 * u32::from(shelf) * 16 + u32::from(slot) * 16;
        let index = disk_index(Numbering::Fixed, shelf, slot, |_| false).unwrap();
        assert_eq!(first_minor(index), Some(mkshelf_minor), "e{shelf}.{slot}");
    }
}

#[test]
fn fixed_refuses_what_aoe_ko_refuses() {
    assert_eq!(
        disk_index(Numbering::Fixed, 0, 16, |_| false),
        Err(MinorError::SlotOutOfRange)
    );
    assert_eq!(
        disk_index(Numbering::Fixed, 4096, 0, |_| false),
        Err(MinorError::ShelfOutOfRange)
    );
    assert_eq!(
        disk_index(Numbering::Fixed, 0, 1, |i| i == 1),
        Err(MinorError::Taken(1))
    );
    assert_eq!(
        MinorError::SlotOutOfRange.to_string(),
        "static minor device numbers support only 16 slots per shelf"
    );
}

#[test]
fn only_zero_is_fixed() {
    assert_eq!(Numbering::from_param(0), Numbering::Fixed);
    assert_eq!(Numbering::from_param(1), Numbering::Dynamic);
    assert_eq!(Numbering::from_param(-1), Numbering::Dynamic);
}

#[test]
fn first_minor_stays_in_the_minor_bits() {
    assert_eq!(first_minor(0), Some(0));
    assert_eq!(first_minor(MAX_DISKS - 1), Some((1 << 20) - 16));
    assert_eq!(first_minor(MAX_DISKS), None);
}
