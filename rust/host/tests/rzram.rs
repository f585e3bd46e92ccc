// SPDX-License-Identifier: GPL-2.0

//! rzram's pure logic: same-filled pages, placement, discard ranges, sysfs parsing and
//! formatting.

use core::fmt::Write;
use raoe_logic::{
    placement::*,
    same_fill::*,
    sysfs_text::*, //
};

#[test]
fn same_filled_pages() {
    let mut page = [0u8; PAGE];
    assert_eq!(same_filled(&page), Some(0));
    fill(&mut page, 0x4847_4645_4443_4241);
    assert_eq!(same_filled(&page), Some(0x4847_4645_4443_4241));
    assert_eq!(&page[..8], b"ABCDEFGH");
    // One byte off anywhere, first, middle or last word, and it is not same-filled.
    for at in [0, 8, 2047, PAGE - 1] {
        let mut changed = page;
        changed[at] ^= 1;
        assert_eq!(same_filled(&changed), None, "byte {at}");
    }
    // A repeated pattern longer than a word is not one word.
    let mut pattern = [0u8; PAGE];
    for (i, byte) in pattern.iter_mut().enumerate() {
        *byte = (i % 16) as u8;
    }
    assert_eq!(same_filled(&pattern), None);
    assert_eq!(same_filled(&[]), None);
    assert_eq!(same_filled(&[1, 2, 3]), None);
}

#[test]
fn fill_covers_a_partial_last_word() {
    let mut bytes = [0u8; 13];
    fill(&mut bytes, 0x4847_4645_4443_4241);
    assert_eq!(&bytes, b"ABCDEFGHABCDE");
}

#[test]
fn copy_takes_the_shorter() {
    let mut dst = [0u8; 4];
    copy(&mut dst, &[1, 2]);
    assert_eq!(dst, [1, 2, 0, 0]);
    copy(&mut dst, &[5, 6, 7, 8, 9]);
    assert_eq!(dst, [5, 6, 7, 8]);
}

#[test]
fn placement_by_compressed_length() {
    let huge = 3264;
    assert_eq!(Placement::of(1, huge), Placement::Compressed(1));
    assert_eq!(
        Placement::of(huge - 1, huge),
        Placement::Compressed(huge - 1)
    );
    assert_eq!(Placement::of(huge, huge), Placement::Raw);
    assert_eq!(Placement::of(PAGE + 400, huge), Placement::Raw);
    // Never more than a page compressed, whatever the pool says.
    assert_eq!(Placement::of(PAGE, PAGE + 1), Placement::Raw);
}

#[test]
fn pages_and_offsets() {
    assert_eq!(page_of(0), (0, 0));
    assert_eq!(page_of(7), (0, 3584));
    assert_eq!(page_of(8), (1, 0));
    assert_eq!(page_of(u64::MAX), (u64::MAX / 8, 3584));
}

#[test]
fn discard_frees_only_whole_pages() {
    assert_eq!(whole_pages(0, 4096), 0..1);
    assert_eq!(whole_pages(0, 4095), 0..0);
    assert_eq!(whole_pages(1, 4096), 1..1);
    assert_eq!(whole_pages(1, 8192), 1..2);
    assert_eq!(whole_pages(8, 3 * 4096), 1..4);
    assert!(whole_pages(u64::MAX, u64::MAX).is_empty());
}

#[test]
fn sizes_as_memparse_reads_them() {
    assert_eq!(parse_size("768M"), Some(768 << 20));
    assert_eq!(parse_size("768M\n"), Some(768 << 20));
    assert_eq!(parse_size("1g"), Some(1 << 30));
    assert_eq!(parse_size("4096"), Some(4096));
    assert_eq!(parse_size("4k"), Some(4096));
    assert_eq!(parse_size("2T"), Some(2 << 40));
    assert_eq!(parse_size("1P"), Some(1 << 50));
    assert_eq!(parse_size("1E"), Some(1 << 60));
    assert_eq!(parse_size("0x1000"), Some(4096));
    assert_eq!(parse_size("0x1e"), Some(30));
    assert_eq!(parse_size("010"), Some(8));
    assert_eq!(parse_size("0"), Some(0));
}

#[test]
fn garbage_sizes_are_refused() {
    for bad in [
        "",
        "\n",
        "abc",
        "M",
        "-1",
        "+1",
        "12abc",
        "1MB",
        "1 M",
        "0x",
        "08",
        "1.5G",
        "16E",
        "99999999999999999999",
        "18446744073709551616",
        "0xg",
    ] {
        assert_eq!(parse_size(bad), None, "{bad:?}");
    }
}

#[test]
fn decimals() {
    assert_eq!(parse_decimal("1\n"), Some(1));
    assert_eq!(parse_decimal(" 0 "), Some(0));
    for bad in ["", "x", "-1", "1x", "0x10", "18446744073709551616"] {
        assert_eq!(parse_decimal(bad), None, "{bad:?}");
    }
}

#[test]
fn switches() {
    assert_eq!(parse_switch("1\n"), Some(true));
    assert_eq!(parse_switch(" 0 "), Some(false));
    for bad in ["", "2", "01", "true", "y", "1 1", "-1"] {
        assert_eq!(parse_switch(bad), None, "{bad:?}");
    }
}

#[test]
fn choices_with_the_current_in_brackets() {
    let mut buf = [0u8; 64];
    let mut out = BufWriter::new(&mut buf);
    write_choices(
        &mut out,
        ["lzo-rle", "lzo", "lz4", "zstd"].into_iter(),
        "lz4",
    )
    .unwrap();
    let len = out.written();
    assert_eq!(&buf[..len], b"lzo-rle lzo [lz4] zstd\n");
}

#[test]
fn writer_refuses_to_overflow() {
    let mut buf = [0u8; 8];
    let mut out = BufWriter::new(&mut buf);
    assert!(write!(out, "{:8}", 1).is_ok());
    assert!(out.write_str("x").is_err());
    assert_eq!(out.written(), 8);
    assert_eq!(&buf, b"       1");
}
