// SPDX-License-Identifier: GPL-2.0

//! The frame builders, the response parser and the reply checks.

mod common;

use common::{
    ata_reply,
    config_reply,
    pad,
    response_header,
    HOST,
    TARGET, //
};
use raoe_logic::wire::*;

fn request(command: AtaCommand, lba: u64, sectors: u8, lba48: bool) -> AtaRequest {
    AtaRequest {
        header: Header {
            dst: TARGET,
            src: HOST,
            shelf: 7,
            slot: 3,
            tag: 0x1234_5678,
        },
        command,
        lba,
        sectors,
        lba48,
    }
}

fn build(request: &AtaRequest) -> Vec<u8> {
    let mut buf = [0xa5u8; 64];
    let len = build_ata_request(&mut buf, request).unwrap();
    assert_eq!(len, ATA_HEADER_LEN);
    buf[..len].to_vec()
}

/// Turns a request we built into the response a target would send, with `data` appended.
fn answer(mut frame: Vec<u8>, status: u8, data: &[u8]) -> Vec<u8> {
    let (dst, rest) = frame.split_at_mut(6);
    dst.swap_with_slice(&mut rest[..6]);
    frame[14] |= FLAG_RESPONSE;
    frame[27] = status;
    frame.extend_from_slice(data);
    pad(frame)
}

#[test]
fn ata_read_lba48_layout() {
    let frame = build(&request(AtaCommand::Read, 0x0102_0304_0506, 17, true));
    assert_eq!(&frame[0..6], &TARGET);
    assert_eq!(&frame[6..12], &HOST);
    assert_eq!(&frame[12..14], &[0x88, 0xa2]);
    assert_eq!(frame[14], 0x10);
    assert_eq!(frame[15], 0);
    assert_eq!(&frame[16..18], &[0, 7]);
    assert_eq!(frame[18], 3);
    assert_eq!(frame[19], CMD_ATA);
    assert_eq!(&frame[20..24], &[0x12, 0x34, 0x56, 0x78]);
    assert_eq!(frame[24], AFLAG_EXTENDED);
    assert_eq!(frame[25], 0);
    assert_eq!(frame[26], 17);
    assert_eq!(frame[27], ATA_CMD_READ_EXT);
    assert_eq!(&frame[28..34], &[6, 5, 4, 3, 2, 1]);
    assert_eq!(&frame[34..36], &[0, 0]);
}

#[test]
fn ata_write_lba28_layout() {
    let frame = build(&request(AtaCommand::Write, 0x0abc_def1, 2, false));
    assert_eq!(frame[24], AFLAG_WRITE);
    assert_eq!(frame[26], 2);
    assert_eq!(frame[27], ATA_CMD_WRITE);
    // lba3 keeps its low nibble and gets 0xe0, as aoecmd.c:347-349.
    assert_eq!(&frame[28..34], &[0xf1, 0xde, 0xbc, 0xea, 0, 0]);
}

#[test]
fn ata_read_lba28_and_write_lba48_commands() {
    let read = build(&request(AtaCommand::Read, 5, 1, false));
    assert_eq!((read[24], read[27], read[31]), (0, ATA_CMD_READ, 0xe0));
    let write = build(&request(AtaCommand::Write, 5, 1, true));
    assert_eq!(
        (write[24], write[27], write[31]),
        (AFLAG_WRITE | AFLAG_EXTENDED, ATA_CMD_WRITE_EXT, 0)
    );
}

#[test]
fn identify_and_flush_layout() {
    let identify = build(&request(AtaCommand::Identify, 99, 9, true));
    assert_eq!(identify[24], 0);
    assert_eq!(identify[26], 1);
    assert_eq!(identify[27], ATA_CMD_IDENTIFY);
    assert_eq!(&identify[28..34], &[0, 0, 0, 0xa0, 0, 0]);
    let flush_ext = build(&request(AtaCommand::Flush, 99, 9, true));
    assert_eq!(flush_ext[24], AFLAG_EXTENDED);
    assert_eq!(flush_ext[26], 0);
    assert_eq!(flush_ext[27], ATA_CMD_FLUSH_EXT);
    assert_eq!(&flush_ext[28..36], &[0; 8]);
    // Without FLUSH CACHE EXT (vblade), FLUSH CACHE without the E flag.
    let flush = build(&request(AtaCommand::Flush, 99, 9, false));
    assert_eq!(flush[24], 0);
    assert_eq!(flush[26], 0);
    assert_eq!(flush[27], ATA_CMD_FLUSH);
    assert_eq!(&flush[28..36], &[0; 8]);
}

#[test]
fn build_errors() {
    let mut small = [0u8; ATA_HEADER_LEN - 1];
    let read = request(AtaCommand::Read, 0, 1, true);
    assert_eq!(
        build_ata_request(&mut small, &read),
        Err(BuildError::BufferTooSmall)
    );
    assert!(
        small.iter().all(|&byte| byte == 0),
        "a failed build writes nothing"
    );
    let mut buf = [0u8; 64];
    let tagged = AtaRequest {
        header: Header {
            tag: 1 << 31,
            ..read.header
        },
        ..read
    };
    assert_eq!(
        build_ata_request(&mut buf, &tagged),
        Err(BuildError::ReservedTag)
    );
    let empty = AtaRequest { sectors: 0, ..read };
    assert_eq!(
        build_ata_request(&mut buf, &empty),
        Err(BuildError::NoSectors)
    );
    // The last LBA28 sector is addressable, the next is not.
    let last28 = request(AtaCommand::Read, (1 << 28) - 1, 1, false);
    assert_eq!(build_ata_request(&mut buf, &last28), Ok(ATA_HEADER_LEN));
    let beyond28 = AtaRequest {
        sectors: 2,
        ..last28
    };
    assert_eq!(
        build_ata_request(&mut buf, &beyond28),
        Err(BuildError::LbaOutOfRange)
    );
    let beyond48 = request(AtaCommand::Write, (1 << 48) - 1, 2, true);
    assert_eq!(
        build_ata_request(&mut buf, &beyond48),
        Err(BuildError::LbaOutOfRange)
    );
    let overflow = request(AtaCommand::Read, u64::MAX, 2, true);
    assert_eq!(
        build_ata_request(&mut buf, &overflow),
        Err(BuildError::LbaOutOfRange)
    );
    let mut config = [0u8; CONFIG_HEADER_LEN - 1];
    let query = Header::config_broadcast(HOST);
    assert_eq!(
        build_config_query(&mut config, &query),
        Err(BuildError::BufferTooSmall)
    );
    let tagged = Header {
        tag: u32::MAX,
        ..query
    };
    assert_eq!(
        build_config_query(&mut buf, &tagged),
        Err(BuildError::ReservedTag)
    );
}

#[test]
fn config_query_layout() {
    let mut buf = [0xffu8; 40];
    let len = build_config_query(&mut buf, &Header::config_broadcast(HOST)).unwrap();
    assert_eq!(len, CONFIG_HEADER_LEN);
    assert_eq!(&buf[0..6], &BROADCAST_MAC);
    assert_eq!(&buf[6..12], &HOST);
    assert_eq!(
        &buf[12..24],
        &[0x88, 0xa2, 0x10, 0, 0xff, 0xff, 0xff, CMD_CONFIG, 0, 0, 0, 0]
    );
    assert_eq!(&buf[24..32], &[0; 8]);
    assert_eq!(&buf[32..], &[0xff; 8], "nothing past the frame is written");
    let len = build_config_query(&mut buf, &Header::config_device(HOST, 0x0102, 9)).unwrap();
    assert_eq!(&buf[..6], &BROADCAST_MAC);
    assert_eq!(&buf[16..20], &[1, 2, 9, CMD_CONFIG]);
    assert_eq!(len, 32);
}

#[test]
fn round_trip_every_ata_command() {
    let sector = [0x5au8; 512];
    for lba48 in [false, true] {
        for (command, sectors) in [
            (AtaCommand::Read, 2u8),
            (AtaCommand::Read, 17),
            (AtaCommand::Write, 2),
            (AtaCommand::Identify, 1),
            (AtaCommand::Flush, 0),
        ] {
            let sent = request(command, 1000, sectors.max(1), lba48);
            let expected = sent.sent();
            assert_eq!(expected.sectors, sectors);
            let data = sector.repeat(expected.reply_data_len() / 512);
            let frame = answer(build(&sent), 0x40, &data);
            let Ok(Response::Ata(reply)) = parse_response(&frame) else {
                panic!("{command:?} reply not parsed: {:?}", parse_response(&frame));
            };
            assert_eq!(reply.header.tag, sent.header.tag);
            assert_eq!((reply.header.shelf, reply.header.slot), (7, 3));
            assert_eq!(reply.header.src, TARGET);
            assert_eq!(reply.header.dst, HOST);
            assert_eq!(reply.status, 0x40);
            assert_eq!(reply.data, &data[..]);
            assert_eq!(check_ata_reply(&reply, &expected), Ok(()));
        }
    }
}

#[test]
fn round_trip_config() {
    let mut buf = [0u8; 64];
    let len = build_config_query(&mut buf, &Header::config_device(HOST, 7, 3)).unwrap();
    let mut frame = buf[..len].to_vec();
    frame[14] |= FLAG_RESPONSE;
    frame[24..26].copy_from_slice(&16u16.to_be_bytes());
    frame[26..28].copy_from_slice(&0x4019u16.to_be_bytes());
    frame[28] = 17;
    frame[29] = 0x10;
    frame[30..32].copy_from_slice(&3u16.to_be_bytes());
    frame.extend_from_slice(b"abc");
    let frame = pad(frame);
    let Ok(Response::Config(reply)) = parse_response(&frame) else {
        panic!()
    };
    assert_eq!(
        (reply.header.shelf, reply.header.slot, reply.header.tag),
        (7, 3, 0)
    );
    assert_eq!(reply.buffer_count, 16);
    assert_eq!(reply.firmware_version, 0x4019);
    assert_eq!(reply.sector_count, 17);
    assert_eq!(reply.ccmd, 0);
    assert_eq!(reply.config, b"abc");
}

#[test]
fn vblade_like_replies() {
    // A write reply: 60 bytes, the last 24 padding.
    let frame = ata_reply(5, 0x40, &[]);
    assert_eq!(frame.len(), 60);
    let Ok(Response::Ata(reply)) = parse_response(&frame) else {
        panic!()
    };
    assert!(reply.data.is_empty());
    assert_eq!(reply.lba, 0x0605_0403_0201);
    assert_eq!(reply.aflags, 0x40);
    // A config reply with an empty string, padded.
    let frame = config_reply(16, 2, b"");
    let Ok(Response::Config(reply)) = parse_response(&frame) else {
        panic!()
    };
    assert_eq!(
        (reply.buffer_count, reply.sector_count, reply.config),
        (16, 2, &b""[..])
    );
}

#[test]
fn error_responses() {
    for code in 0..=255u8 {
        let mut frame = pad(response_header(1, 10, 1, 77));
        frame[14] |= FLAG_ERROR;
        frame[15] = code;
        let Ok(Response::Error {
            header,
            code: parsed,
        }) = parse_response(&frame)
        else {
            panic!()
        };
        assert_eq!((header.shelf, header.slot, header.tag), (1, 10, 77));
        assert_eq!(parsed.code(), code);
        assert_eq!(ErrorCode::from_wire(code), parsed);
        let known = (1..=6).contains(&code);
        assert_eq!(matches!(parsed, ErrorCode::Unknown(_)), !known);
        assert_eq!(parsed.message() == "no such error", !known);
    }
    assert_eq!(ErrorCode::from_wire(6), ErrorCode::TargetReserved);
    // The error flag wins over a command we would not parse.
    let mut frame = response_header(1, 10, 0xf0, 1);
    frame[14] |= FLAG_ERROR;
    frame[15] = 1;
    assert!(matches!(
        parse_response(&frame),
        Ok(Response::Error {
            code: ErrorCode::BadCommand,
            ..
        })
    ));
}

/// Valid frames, one per kind of response.
fn valid_frames() -> Vec<Vec<u8>> {
    vec![
        ata_reply(1, 0x40, &[]),
        ata_reply(2, 0x40, &[0x11; 1024]),
        config_reply(16, 17, b"hello"),
        config_reply(16, 2, b""),
    ]
}

#[test]
fn truncation_at_every_length() {
    for frame in valid_frames() {
        let full = parse_response(&frame);
        assert!(full.is_ok());
        for len in 0..frame.len() {
            let result = parse_response(&frame[..len]);
            let expected = match (len, frame[19]) {
                (0..=23, _) => Err(DropReason::TooShort),
                (24..=35, CMD_ATA) => Err(DropReason::TruncatedAta),
                (24..=31, _) => Err(DropReason::TruncatedConfig),
                _ => result,
            };
            assert_eq!(result, expected, "length {len}");
            match result {
                Ok(Response::Ata(reply)) => {
                    assert!(len <= 60 || reply.data.len() % 512 == 0);
                    assert!(reply.data.is_empty() || reply.data == &frame[36..len]);
                }
                Ok(Response::Config(reply)) => assert!(32 + reply.config.len() <= len),
                Ok(Response::Error { .. }) => panic!("no error flag here"),
                Err(reason) => assert!(
                    matches!(
                        reason,
                        DropReason::TooShort
                            | DropReason::TruncatedAta
                            | DropReason::TruncatedConfig
                            | DropReason::PartialSector
                            | DropReason::BadConfigLength
                    ),
                    "length {len}: {reason:?}"
                ),
            }
        }
    }
}

#[test]
fn truncated_data_is_a_partial_sector_and_cut_string_a_bad_length() {
    let frame = ata_reply(2, 0x40, &[0x11; 1024]);
    assert_eq!(
        parse_response(&frame[..36 + 1023]),
        Err(DropReason::PartialSector)
    );
    assert_eq!(parse_response(&frame[..61]), Err(DropReason::PartialSector));
    assert!(
        matches!(parse_response(&frame[..36 + 512]), Ok(Response::Ata(r)) if r.data.len() == 512)
    );
    let frame = config_reply(16, 2, &[b'x'; 40]);
    assert_eq!(
        parse_response(&frame[..71]),
        Err(DropReason::BadConfigLength)
    );
}

/// Applies `mutate` to a valid frame and returns the parse result.
fn mutated(
    frame: &[u8],
    mutate: impl FnOnce(&mut Vec<u8>),
) -> Result<Response<'static>, DropReason> {
    let mut frame = frame.to_vec();
    mutate(&mut frame);
    parse_response(Box::leak(frame.into_boxed_slice()))
}

#[test]
fn every_parse_drop_reason_from_a_minimal_mutation() {
    let ata = ata_reply(1, 0x40, &[0x11; 512]);
    let config = config_reply(16, 2, b"abc");
    let cases: [(DropReason, Result<Response<'static>, DropReason>); 12] = [
        (DropReason::TooShort, mutated(&ata, |f| f.truncate(23))),
        (DropReason::NotAoe, mutated(&ata, |f| f[13] = 0xa3)),
        (
            DropReason::UnsupportedVersion,
            mutated(&ata, |f| f[14] = 0x28),
        ),
        (
            DropReason::NotResponse,
            mutated(&ata, |f| f[14] &= !FLAG_RESPONSE),
        ),
        (DropReason::ReservedTag, mutated(&ata, |f| f[20] |= 0x80)),
        (
            DropReason::BroadcastShelf,
            mutated(&ata, |f| f[16..18].copy_from_slice(&[0xff, 0xff])),
        ),
        (
            DropReason::BroadcastShelf,
            mutated(&config, |f| f[16..18].copy_from_slice(&[0x0f, 0xff])),
        ),
        (
            DropReason::BroadcastSlot,
            mutated(&config, |f| f[18] = 0xff),
        ),
        (
            DropReason::UnsupportedCommand,
            mutated(&ata, |f| f[19] = 0xf0),
        ),
        (DropReason::TruncatedAta, mutated(&ata, |f| f.truncate(35))),
        (DropReason::PartialSector, mutated(&ata, |f| f.push(0))),
        (
            DropReason::BadConfigLength,
            mutated(&config, |f| f[31] = 29),
        ),
    ];
    for (reason, result) in cases {
        assert_eq!(result, Err(reason));
    }
    assert_eq!(
        mutated(&config, |f| f.truncate(31)),
        Err(DropReason::TruncatedConfig)
    );
    assert_eq!(
        mutated(&config, |f| f[19] = 2),
        Err(DropReason::UnsupportedCommand)
    );
    assert_eq!(
        mutated(&config, |f| f[19] = 3),
        Err(DropReason::UnsupportedCommand)
    );
    // A cslen that fits the padding is accepted; one over 1024 is not, even in a jumbo frame.
    assert!(mutated(&config, |f| f[31] = 28).is_ok());
    assert_eq!(
        mutated(&config, |f| {
            f.resize(32 + 1025, 0);
            f[30..32].copy_from_slice(&1025u16.to_be_bytes());
        }),
        Err(DropReason::BadConfigLength)
    );
    // The address checks come before the error flag.
    assert_eq!(
        mutated(&ata, |f| {
            f[14] |= FLAG_ERROR;
            f[18] = 0xff;
        }),
        Err(DropReason::BroadcastSlot)
    );
}

#[test]
fn check_ata_reply_semantics() {
    let read2 = request(AtaCommand::Read, 0, 2, true).sent();
    let write2 = request(AtaCommand::Write, 0, 2, true).sent();
    let flush = request(AtaCommand::Flush, 0, 2, true).sent();
    let identify = request(AtaCommand::Identify, 0, 2, true).sent();
    assert_eq!((flush.sectors, identify.sectors), (0, 1));
    fn parse(frame: &[u8]) -> AtaReply<'_> {
        match parse_response(frame) {
            Ok(Response::Ata(reply)) => reply,
            other => panic!("{other:?}"),
        }
    }
    let frames = [
        ata_reply(1, 0x40, &[]),
        ata_reply(1, 0x40, &[0; 512]),
        ata_reply(1, 0x40, &[0; 1024]),
        ata_reply(1, 0x40, &[0; 1536]),
    ];
    let replies: Vec<_> = frames.iter().map(|frame| parse(frame)).collect();
    use DropReason::{
        ExcessData,
        ShortData, //
    };
    // By the sectors of data in the reply: 0, 1, 2, 3.
    let table = [
        // Reads need exactly the sectors asked for: fewer fail the request, more are dropped.
        (
            read2,
            [Err(ShortData), Err(ShortData), Ok(()), Err(ExcessData)],
        ),
        // Writes and flushes carry no data back.
        (
            write2,
            [Ok(()), Err(ExcessData), Err(ExcessData), Err(ExcessData)],
        ),
        (
            flush,
            [Ok(()), Err(ExcessData), Err(ExcessData), Err(ExcessData)],
        ),
        // IDENTIFY needs one sector.
        (
            identify,
            [Err(ShortData), Ok(()), Err(ExcessData), Err(ExcessData)],
        ),
    ];
    for (sent, results) in table {
        for (reply, result) in replies.iter().zip(results) {
            assert_eq!(
                check_ata_reply(reply, &sent),
                result,
                "{sent:?} {}",
                reply.data.len()
            );
        }
    }
    // Any of BSY, DF, DRQ, ERR fails the request, whatever the data; DRDY and others do not.
    for status in 0..=255u8 {
        let frame = ata_reply(1, status, &[0; 1024]);
        let reply = parse(&frame);
        let result = check_ata_reply(&reply, &read2);
        if status & 0xa9 != 0 {
            assert_eq!(result, Err(DropReason::AtaError), "status {status:#x}");
        } else {
            assert_eq!(result, Ok(()), "status {status:#x}");
        }
    }
    assert!(DropReason::AtaError.fails_request());
    assert!(DropReason::ShortData.fails_request());
    assert!(!DropReason::ExcessData.fails_request());
    assert!(!DropReason::UnsolicitedTag.fails_request());
}

#[test]
fn drop_reason_table() {
    assert_eq!(DropReason::COUNT, DropReason::ALL.len());
    let mut names = std::collections::HashSet::new();
    for (index, reason) in DropReason::ALL.into_iter().enumerate() {
        assert_eq!(reason.index(), index);
        assert!(
            names.insert(reason.name()),
            "duplicate name {}",
            reason.name()
        );
        assert!(reason
            .name()
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b == b'_'));
    }
}

#[test]
fn every_drop_reason_is_reachable() {
    use raoe_logic::tags::{
        TagSlot,
        TagTable, //
    };
    let mut seen = [false; DropReason::COUNT];
    let ata = ata_reply(1, 0x40, &[0x11; 512]);
    let config = config_reply(16, 2, b"abc");
    type Mutation<'a> = (&'a [u8], fn(&mut Vec<u8>));
    let mutations: [Mutation<'_>; 12] = [
        (&ata, |f| f.truncate(23)),
        (&ata, |f| f[12] = 0x08),
        (&ata, |f| f[14] = 0x08),
        (&ata, |f| f[14] = 0x10),
        (&ata, |f| f[20] = 0x80),
        (&ata, |f| f[16..18].fill(0xff)),
        (&ata, |f| f[18] = 0xff),
        (&ata, |f| f[19] = 0xff),
        (&ata, |f| f.truncate(30)),
        (&ata, |f| f.truncate(100)),
        (&config, |f| f.truncate(30)),
        (&config, |f| f[30] = 0xff),
    ];
    for (frame, mutate) in mutations {
        let mut frame = frame.to_vec();
        mutate(&mut frame);
        if let Err(reason) = parse_response(&frame) {
            seen[reason.index()] = true;
        }
    }
    // The driver drops a response with the error flag, once logged, as ErrorResponse.
    let mut error = ata.clone();
    error[14] |= FLAG_ERROR;
    if let Ok(Response::Error { .. }) = parse_response(&error) {
        seen[DropReason::ErrorResponse.index()] = true;
    }
    let mut table = TagTable::new([TagSlot::EMPTY; 4], 0);
    if let Err(reason) = table.complete(1) {
        seen[reason.index()] = true;
    }
    let read = SentAta {
        command: AtaCommand::Read,
        sectors: 1,
    };
    for (status, data) in [(0x41, &[0u8; 512][..]), (0x40, &[]), (0x40, &[0; 1024])] {
        let frame = ata_reply(1, status, data);
        let Ok(Response::Ata(reply)) = parse_response(&frame) else {
            panic!()
        };
        if let Err(reason) = check_ata_reply(&reply, &read) {
            seen[reason.index()] = true;
        }
    }
    let missed: Vec<_> = DropReason::ALL
        .iter()
        .filter(|r| !seen[r.index()])
        .collect();
    assert!(missed.is_empty(), "never triggered: {missed:?}");
}

#[test]
fn mac_addresses_print_as_aoe_ko_prints_them() {
    let mac = MacHex([0x4e, 0x1e, 0xe0, 0xf3, 0x26, 0x0b]);
    assert_eq!(format!("s={mac}"), "s=4e1ee0f3260b");
}
