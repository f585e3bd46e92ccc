// SPDX-License-Identifier: GPL-2.0

//! rzram's pure logic: same-filled pages, placement, discard ranges, sysfs parsing and
//! formatting.

use core::fmt::Write;
use raoe_logic::{
    block_map::*,
    placement::*,
    same_fill::*,
    slot_state::*,
    sysfs_text::*, //
};

/// The page sizes Linux runs with: 4K (x86), 16K and 64K (arm64, ppc64).
const PAGE_SIZES: [usize; 3] = [4096, 16384, 65536];

/// The block layer's sector.
const SECTOR: usize = 512;

/// The geometry of each page size, with its page size.
fn geometries() -> impl Iterator<Item = (Geometry, usize)> {
    PAGE_SIZES
        .into_iter()
        .map(|page| (Geometry::new(page, SECTOR), page))
}

#[test]
fn same_filled_pages() {
    for page_size in PAGE_SIZES {
        let mut page = vec![0u8; page_size];
        assert_eq!(same_filled(&page), Some(0));
        fill(&mut page, 0x4847_4645_4443_4241);
        assert_eq!(same_filled(&page), Some(0x4847_4645_4443_4241));
        assert_eq!(&page[..8], b"ABCDEFGH");
        // One byte off anywhere, first, middle or last word, and it is not same-filled.
        for at in [0, 8, page_size / 2 - 1, page_size - 1] {
            let mut changed = page.clone();
            changed[at] ^= 1;
            assert_eq!(same_filled(&changed), None, "{page_size}: byte {at}");
        }
        // A repeated pattern longer than a word is not one word.
        let pattern: Vec<u8> = (0..page_size).map(|i| (i % 16) as u8).collect();
        assert_eq!(same_filled(&pattern), None);
    }
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
fn geometry_of_each_page_size() {
    for (geometry, page) in geometries() {
        assert_eq!(geometry.page_size(), page);
        assert_eq!(geometry.sectors_per_page(), (page / SECTOR) as u64);
        let page = page as u64;
        assert_eq!(geometry.pages_for(0), 0);
        assert_eq!(geometry.pages_for(1), 1);
        assert_eq!(geometry.pages_for(page), 1);
        assert_eq!(geometry.pages_for(page + 1), 2);
        assert_eq!(geometry.pages_for(u64::MAX), u64::MAX / page + 1);
        assert_eq!(geometry.bytes_of(3), Some(3 * page));
        assert_eq!(geometry.bytes_of(u64::MAX / page + 1), None);
        assert_eq!(geometry.sectors_of(3), Some(3 * page / SECTOR as u64));
        assert_eq!(geometry.sectors_of(u64::MAX), None);
    }
}

#[test]
#[should_panic]
fn a_page_size_not_a_power_of_two_is_refused() {
    Geometry::new(12288, SECTOR);
}

#[test]
#[should_panic]
fn a_page_smaller_than_a_sector_is_refused() {
    Geometry::new(256, SECTOR);
}

#[test]
fn placement_by_compressed_length() {
    for (geometry, page) in geometries() {
        let huge = page * 3 / 4;
        assert_eq!(geometry.placement(1, huge), Placement::Compressed(1));
        assert_eq!(
            geometry.placement(huge - 1, huge),
            Placement::Compressed(huge - 1)
        );
        assert_eq!(geometry.placement(huge, huge), Placement::Raw);
        assert_eq!(geometry.placement(page + 400, huge), Placement::Raw);
        // Never more than a page compressed, whatever the pool says.
        assert_eq!(
            geometry.placement(page - 1, page + 1),
            Placement::Compressed(page - 1)
        );
        assert_eq!(geometry.placement(page, page + 1), Placement::Raw);
    }
}

#[test]
fn sectors_go_to_their_page() {
    let pages = 10;
    for (geometry, page) in geometries() {
        let per_page = (page / SECTOR) as u64;
        let whole = geometry.span(0, page, pages).unwrap();
        assert_eq!(
            whole,
            Span {
                page: 0,
                page_sector: 0,
                bytes: 0..page,
                whole_page: true
            }
        );
        // The last sector of the first page, then the first of the second.
        let last = geometry.span(per_page - 1, SECTOR, pages).unwrap();
        assert_eq!((last.page, last.page_sector), (0, 0));
        assert_eq!(last.bytes, page - SECTOR..page);
        assert!(!last.whole_page);
        let next = geometry.span(per_page, SECTOR, pages).unwrap();
        assert_eq!(
            (next.page, next.page_sector, next.bytes),
            (1, per_page, 0..SECTOR)
        );
        // A 4 KiB block (the disk's logical block) in the middle of a larger page.
        if page > 4096 {
            let block = geometry.span(per_page * 3 + 8, 4096, pages).unwrap();
            assert_eq!((block.page, block.page_sector), (3, per_page * 3));
            assert_eq!(block.bytes, 4096..8192);
            assert!(!block.whole_page);
        }
    }
}

#[test]
fn pieces_off_the_device_or_across_pages_are_errors() {
    let pages = 10;
    for (geometry, page) in geometries() {
        let per_page = (page / SECTOR) as u64;
        // The last page of the device, whole and its last sector; then beyond.
        let last = geometry.span(per_page * 9, page, pages).unwrap();
        assert_eq!(last.page, 9);
        assert!(last.whole_page);
        assert!(geometry.span(per_page * 10 - 1, SECTOR, pages).is_ok());
        assert_eq!(geometry.span(per_page * 10, SECTOR, pages), Err(OutOfRange));
        assert_eq!(geometry.span(u64::MAX, SECTOR, pages), Err(OutOfRange));
        assert_eq!(geometry.span(0, SECTOR, 0), Err(OutOfRange));
        // Longer than the rest of the page: the panic a 4 KiB page constant caused on a
        // larger page kernel.
        assert_eq!(geometry.span(1, page, pages), Err(OutOfRange));
        assert_eq!(geometry.span(0, page + SECTOR, pages), Err(OutOfRange));
        assert_eq!(geometry.span(0, usize::MAX, pages), Err(OutOfRange));
        // The largest sector, on a device as large as sectors go.
        let all = u64::MAX / per_page + 1;
        let top = geometry.span(u64::MAX, SECTOR, all).unwrap();
        assert_eq!(top.page, u64::MAX / per_page);
        assert_eq!(top.bytes, page - SECTOR..page);
    }
}

#[test]
fn discard_frees_only_whole_pages() {
    let pages = 10;
    for (geometry, page) in geometries() {
        let per_page = (page / SECTOR) as u64;
        let bytes = page as u64;
        assert_eq!(geometry.whole_pages(0, bytes, pages), Ok(0..1));
        assert_eq!(geometry.whole_pages(0, bytes - 1, pages), Ok(0..0));
        assert_eq!(geometry.whole_pages(1, bytes, pages), Ok(1..1));
        assert_eq!(geometry.whole_pages(1, 2 * bytes, pages), Ok(1..2));
        assert_eq!(geometry.whole_pages(per_page, 3 * bytes, pages), Ok(1..4));
        assert_eq!(
            geometry.whole_pages(0, 4096, pages),
            Ok(if page == 4096 { 0..1 } else { 0..0 })
        );
        // Up to the end of the device, and no further.
        assert_eq!(geometry.whole_pages(0, 10 * bytes, pages), Ok(0..10));
        assert_eq!(geometry.whole_pages(per_page * 9, bytes, pages), Ok(9..10));
        assert_eq!(
            geometry.whole_pages(0, 10 * bytes + 1, pages),
            Err(OutOfRange)
        );
        assert_eq!(
            geometry.whole_pages(per_page * 10, bytes, pages),
            Err(OutOfRange)
        );
        assert_eq!(
            geometry.whole_pages(u64::MAX, u64::MAX, pages),
            Err(OutOfRange)
        );
        assert_eq!(
            geometry.whole_pages(u64::MAX / 2, 0, u64::MAX),
            Err(OutOfRange)
        );
    }
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

#[test]
fn zram_names_are_zram_kos() {
    use raoe_logic::names::Names;
    // zram_drv.c: disk "zram%d", class "zram-control", debugfs "zram".
    let zram = Names::chosen(true);
    assert_eq!(zram, Names::Zram);
    assert_eq!(zram.prefix(), c"zram");
    assert_eq!(zram.prefix().to_str(), Ok(zram.prefix_str()));
    assert_eq!(zram.control_class(), c"zram-control");
    // The default stays beside zram.ko.
    let own = Names::chosen(false);
    assert_eq!(own.prefix(), c"rzram");
    assert_eq!(own.prefix().to_str(), Ok(own.prefix_str()));
    assert_eq!(own.control_class(), c"rzram-control");
}

#[test]
fn ints_as_kstrtoint_reads_them() {
    assert_eq!(parse_int("3"), Ok(3));
    assert_eq!(parse_int("+7\n"), Ok(7));
    assert_eq!(parse_int("-5"), Ok(-5));
    assert_eq!(parse_int("2147483647"), Ok(i32::MAX));
    assert_eq!(parse_int("-2147483648"), Ok(i32::MIN));
    assert_eq!(parse_int("2147483648"), Err(TextError::OutOfRange));
    assert_eq!(
        parse_int("99999999999999999999"),
        Err(TextError::OutOfRange)
    );
    for bad in ["", "-", "+", "3x", "0x10", " 3", "3 ", "--3", "1.5"] {
        assert_eq!(parse_int(bad), Err(TextError::Invalid), "{bad:?}");
    }
}

#[test]
fn args_split_as_next_arg_splits_them() {
    assert_eq!(
        next_arg("level=3  algo=zstd"),
        ("level", Some("3"), "algo=zstd")
    );
    assert_eq!(next_arg("algo=zstd"), ("algo", Some("zstd"), ""));
    assert_eq!(next_arg("level"), ("level", None, ""));
    assert_eq!(next_arg("level= x"), ("level", Some(""), "x"));
    // Quotes keep white space in a value and are left out.
    assert_eq!(
        next_arg("dict=\"/tmp/a dict\" level=1"),
        ("dict", Some("/tmp/a dict"), "level=1")
    );
    assert_eq!(
        next_arg("\"dict=/tmp/x y\" z"),
        ("dict", Some("/tmp/x y"), "z")
    );
    // An '=' first is part of the name: the value starts after the next one.
    assert_eq!(next_arg("=a=b"), ("=a", Some("b"), ""));
    assert_eq!(next_arg("x\ty"), ("x", None, "y"));
}

#[test]
fn algorithm_params_as_zram_reads_them() {
    // zram-generator's form, zramctl -p's, a dictionary, a newline from echo.
    assert_eq!(
        parse_algorithm_params("algo=zstd level=3\n"),
        Ok(AlgorithmParams {
            algo: Some("zstd"),
            level: Some(3),
            ..Default::default()
        })
    );
    assert_eq!(
        parse_algorithm_params("priority=1 dict=/etc/zram.dict"),
        Ok(AlgorithmParams {
            priority: Some(1),
            dict: Some("/etc/zram.dict"),
            ..Default::default()
        })
    );
    // Unknown parameters are ignored, as in zram; deflate.winbits must still be a number.
    assert_eq!(
        parse_algorithm_params("foo=bar level=-1 deflate.winbits=12"),
        Ok(AlgorithmParams {
            level: Some(-1),
            ..Default::default()
        })
    );
    assert_eq!(parse_algorithm_params("\n"), Ok(AlgorithmParams::default()));
    // A parameter without a value, an empty value, a bad number.
    for (text, err) in [
        ("level", TextError::Invalid),
        ("algo=", TextError::Invalid),
        ("level=3 algo", TextError::Invalid),
        ("level=high", TextError::Invalid),
        ("priority=1x", TextError::Invalid),
        ("deflate.winbits=x", TextError::Invalid),
        ("level=4294967296", TextError::OutOfRange),
    ] {
        assert_eq!(parse_algorithm_params(text), Err(err), "{text:?}");
    }
}

#[test]
fn idle_as_zram_reads_it() {
    assert_eq!(parse_idle("all\n"), Some(IdleRequest::All));
    assert_eq!(parse_idle("all"), Some(IdleRequest::All));
    // kstrtouint base 0: decimal, hex, octal, an optional '+'.
    assert_eq!(parse_idle("3600\n"), Some(IdleRequest::OlderThan(3600)));
    assert_eq!(parse_idle("0x10"), Some(IdleRequest::OlderThan(16)));
    assert_eq!(parse_idle("010"), Some(IdleRequest::OlderThan(8)));
    assert_eq!(parse_idle("+5"), Some(IdleRequest::OlderThan(5)));
    assert_eq!(parse_idle("0"), Some(IdleRequest::OlderThan(0)));
    assert_eq!(
        parse_idle("4294967295"),
        Some(IdleRequest::OlderThan(u32::MAX))
    );
    for bad in [
        "",
        "al",
        "All",
        "all ",
        " 5",
        "-5",
        "08",
        "0x",
        "1.5",
        "4294967296",
        "5s",
    ] {
        assert_eq!(parse_idle(bad), None, "{bad:?}");
    }
}

#[test]
fn block_state_lines_as_zram_prints_them() {
    let mut line = String::new();
    write_block_state_line(
        &mut line,
        7,
        &BlockState {
            access_time: 152,
            huge: true,
            idle: true,
            ..Default::default()
        },
    )
    .unwrap();
    // zram_drv.c: "%12lu %12u.%06d %c%c%c%c%c%c\n".
    assert_eq!(line, "           7          152.000000 ..hi..\n");
    line.clear();
    write_block_state_line(
        &mut line,
        123_456_789_012,
        &BlockState {
            same: true,
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(line, "123456789012            0.000000 s.....\n");
    line.clear();
    write_block_state_line(
        &mut line,
        3,
        &BlockState {
            access_time: 9,
            written_back: true,
            huge: true,
            recompressed: true,
            incompressible: true,
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(line, "           3            9.000000 .wh.rn\n");
}

/// The scans a write to `writeback` asks for on a device of `pages`, or its error.
fn writeback_scans(text: &str, pages: u64) -> Result<Vec<WritebackScan>, TextError> {
    let mut scans = Vec::new();
    parse_writeback(text, pages, |scan| scans.push(scan))?;
    Ok(scans)
}

fn scan(mode: WritebackMode, first: u64, end: u64) -> WritebackScan {
    WritebackScan { mode, first, end }
}

#[test]
fn writeback_requests_as_zram_reads_them() {
    use WritebackMode::*;
    // The old syntax and type=, over the whole device.
    for (text, mode) in [
        ("huge\n", Huge),
        ("idle", Idle),
        ("huge_idle", HugeIdle),
        ("incompressible", Incompressible),
        ("type=huge\n", Huge),
        ("type=huge_idle", HugeIdle),
    ] {
        assert_eq!(
            writeback_scans(text, 100),
            Ok(vec![scan(mode, 0, 100)]),
            "{text}"
        );
    }
    // Pages by index: any mode, and the arguments go on.
    assert_eq!(
        writeback_scans("page_index=5 page_index=99", 100),
        Ok(vec![scan(Any, 5, 6), scan(Any, 99, 100)])
    );
    assert_eq!(
        writeback_scans("page_indexes=10-19\n", 100),
        Ok(vec![scan(Any, 10, 20)])
    );
    // A type after a range scans that range again in its mode, and ends the arguments.
    assert_eq!(
        writeback_scans("page_indexes=1-3 type=idle page_index=50", 100),
        Ok(vec![scan(Any, 1, 4), scan(Idle, 1, 4)])
    );
    // Unknown parameters with values are ignored; nothing at all scans nothing.
    assert_eq!(
        writeback_scans("foo=1 huge", 10),
        Ok(vec![scan(Huge, 0, 10)])
    );
    assert_eq!(writeback_scans("\n", 10), Ok(vec![]));
    // Errors.
    for (text, err) in [
        ("all", TextError::Invalid),
        ("type=cold", TextError::Invalid),
        ("type=", TextError::Invalid),
        ("page_index=", TextError::Invalid),
        ("page_index=x", TextError::Invalid),
        ("page_index=-1", TextError::Invalid),
        ("page_index=100", TextError::OutOfRange),
        ("page_index=99999999999999999999", TextError::OutOfRange),
        ("page_indexes=5", TextError::Invalid),
        ("page_indexes=5-100", TextError::OutOfRange),
        ("page_indexes=6-5", TextError::OutOfRange),
        ("page_indexes=100-101", TextError::OutOfRange),
        ("page_index=1 bogus", TextError::Invalid),
    ] {
        assert_eq!(writeback_scans(text, 100), Err(err), "{text}");
    }
}

#[test]
fn writeback_modes_take_their_pages() {
    use WritebackMode::*;
    // (huge, idle, incompressible)
    let pages = [
        (false, false, false),
        (true, false, false),
        (false, true, false),
        (true, true, true),
    ];
    let taken = |mode: WritebackMode| {
        pages
            .iter()
            .filter(|&&(h, i, n)| mode.takes(h, i, n))
            .count()
    };
    assert_eq!(
        [Any, Huge, Idle, HugeIdle, Incompressible].map(taken),
        [4, 2, 2, 1, 1]
    );
}

#[test]
fn unsigned_numbers_as_kstrtoull_reads_them() {
    assert_eq!(parse_unsigned("0"), Ok(0));
    assert_eq!(parse_unsigned("+42\n"), Ok(42));
    assert_eq!(parse_unsigned("18446744073709551615"), Ok(u64::MAX));
    assert_eq!(
        parse_unsigned("18446744073709551616"),
        Err(TextError::OutOfRange)
    );
    for text in ["", "\n", " 1", "1 ", "-1", "0x10", "1\n\n", "1k"] {
        assert_eq!(parse_unsigned(text), Err(TextError::Invalid), "{text:?}");
    }
}

#[test]
fn slot_states_pack_and_unpack() {
    for kind in Kind::ALL {
        for (size, priority) in [(0, 0), (4096, 3), (65536, 1), (SlotState::MAX_SIZE, 2)] {
            for flags in 0..8 {
                let state = SlotState {
                    kind,
                    size,
                    priority,
                    idle: flags & 1 != 0,
                    incompressible: flags & 2 != 0,
                    selected: flags & 4 != 0,
                };
                assert_eq!(SlotState::unpack(state.pack().unwrap()), state);
            }
        }
    }
    assert_eq!(
        SlotState::unpack(SlotState::EMPTY.pack().unwrap()),
        SlotState::EMPTY
    );
    // What does not fit is refused, never truncated.
    let too_big = SlotState::new(Kind::Huge, SlotState::MAX_SIZE + 1);
    assert_eq!(too_big.pack(), None);
    let bad_priority = SlotState {
        priority: 4,
        ..SlotState::new(Kind::Compressed, 100)
    };
    assert_eq!(bad_priority.pack(), None);
    // 64 KiB pages fit.
    assert!(SlotState::MAX_SIZE >= 65536);
}

#[test]
fn kinds_after_writeback() {
    assert_eq!(
        Kind::Compressed.after_writeback(false),
        Some(Kind::WrittenBack)
    );
    assert_eq!(
        Kind::Compressed.after_writeback(true),
        Some(Kind::WrittenBackCompressed)
    );
    assert_eq!(
        Kind::Huge.after_writeback(true),
        Some(Kind::WrittenBackHuge)
    );
    for kind in [
        Kind::Empty,
        Kind::Same,
        Kind::WrittenBack,
        Kind::WrittenBackHuge,
    ] {
        assert_eq!(kind.after_writeback(false), None);
    }
    assert!(Kind::WrittenBackHuge.huge() && Kind::WrittenBackHuge.written_back());
    assert!(!Kind::WrittenBack.huge() && Kind::WrittenBackCompressed.written_back());
}

#[test]
fn block_maps_reserve_and_release() {
    for blocks in [1u64, 63, 64, 65, 200] {
        let words = vec![u64::MAX; BlockMap::<Vec<u64>>::words_for(blocks).unwrap()];
        let mut map = BlockMap::new(words, blocks).unwrap();
        let mut got: Vec<u64> = (0..blocks).map(|_| map.reserve().unwrap()).collect();
        assert_eq!(map.reserve(), None, "{blocks} blocks: one too many");
        assert_eq!(map.used(), blocks);
        got.sort();
        assert_eq!(got, (0..blocks).collect::<Vec<_>>());
        // A freed block is found again, however far behind the cursor.
        assert!(map.release(0));
        assert!(!map.release(0), "released twice");
        assert!(!map.release(blocks), "beyond the map");
        assert_eq!(map.reserve(), Some(0));
        assert!(map.release(blocks - 1));
        assert_eq!(map.reserve(), Some(blocks - 1));
        assert_eq!(map.used(), blocks);
    }
    // Too few words are refused.
    assert!(BlockMap::new(vec![0u64; 1], 65).is_none());
}

#[test]
fn recomp_algorithm_requests_as_zram_reads_them() {
    assert_eq!(
        parse_recomp_algorithm("algo=zstd\n"),
        Ok(RecompAlgorithm {
            algo: "zstd",
            priority: 1
        })
    );
    assert_eq!(
        parse_recomp_algorithm("priority=3 algo=lz4 other=1"),
        Ok(RecompAlgorithm {
            algo: "lz4",
            priority: 3
        })
    );
    // The range is the device's to check.
    assert_eq!(
        parse_recomp_algorithm("algo=lz4 priority=-7"),
        Ok(RecompAlgorithm {
            algo: "lz4",
            priority: -7
        })
    );
    for (text, err) in [
        ("", TextError::Invalid),
        ("priority=1", TextError::Invalid),
        ("algo", TextError::Invalid),
        ("algo=", TextError::Invalid),
        ("algo=zstd priority=x", TextError::Invalid),
        ("algo=zstd priority=99999999999", TextError::OutOfRange),
    ] {
        assert_eq!(parse_recomp_algorithm(text), Err(err), "{text}");
    }
}

#[test]
fn recompress_requests_as_zram_reads_them() {
    use RecompressMode::*;
    let any = RecompressRequest {
        mode: Any,
        max_pages: None,
        threshold: 0,
        algo: None,
        priority: None,
    };
    assert_eq!(parse_recompress("\n"), Ok(any));
    assert_eq!(
        parse_recompress("type=huge_idle threshold=3000 max_pages=10 algo=zstd priority=2\n"),
        Ok(RecompressRequest {
            mode: HugeIdle,
            max_pages: Some(10),
            threshold: 3000,
            algo: Some("zstd"),
            priority: Some(2),
        })
    );
    assert_eq!(parse_recompress("type=idle").map(|r| r.mode), Ok(Idle));
    assert_eq!(parse_recompress("type=huge").map(|r| r.mode), Ok(Huge));
    // zram keeps an earlier valid type over a later unknown one.
    assert_eq!(
        parse_recompress("type=idle type=cold").map(|r| r.mode),
        Ok(Idle)
    );
    for (text, err) in [
        ("type=cold", TextError::Invalid),
        ("type", TextError::Invalid),
        ("threshold=", TextError::Invalid),
        ("threshold=-1", TextError::Invalid),
        ("threshold=4294967296", TextError::OutOfRange),
        ("max_pages=x", TextError::Invalid),
        ("max_pages=18446744073709551616", TextError::OutOfRange),
        ("priority=one", TextError::Invalid),
    ] {
        assert_eq!(parse_recompress(text), Err(err), "{text}");
    }
    assert!(Huge.takes(true, false) && !Huge.takes(false, true));
    assert!(HugeIdle.takes(true, true) && !HugeIdle.takes(true, false));
    assert!(Idle.takes(false, true) && Any.takes(false, false));
}

#[test]
fn booleans_as_kstrtobool_reads_them() {
    for text in ["1", "y", "Y", "yes", "t", "true", "on", "On\n"] {
        assert_eq!(parse_bool(text), Some(true), "{text}");
    }
    for text in ["0", "n", "no", "f", "False", "off", "of"] {
        assert_eq!(parse_bool(text), Some(false), "{text}");
    }
    for text in ["", "2", "maybe", "o", "ox", " 1"] {
        assert_eq!(parse_bool(text), None, "{text:?}");
    }
}
