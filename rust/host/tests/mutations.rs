// SPDX-License-Identifier: GPL-2.0

//! `parse_response` and `check_ata_reply` on many random mutations of valid frames.

mod common;

use common::{
    ata_reply,
    config_reply,
    response_header,
    XorShift, //
};
use raoe_logic::wire::*;

/// Runs one frame through the parser and checks what an accepted frame promises.
fn check(frame: &[u8]) -> bool {
    let Ok(response) = parse_response(frame) else {
        return false;
    };
    let range = frame.as_ptr_range();
    match response {
        Response::Ata(reply) => {
            let data = reply.data.as_ptr_range();
            assert!(reply.data.is_empty() || (data.start >= range.start && data.end <= range.end));
            assert!(reply.data.len() % 512 == 0);
            assert!(reply.data.is_empty() || data.start as usize - range.start as usize == 36);
            for command in [
                AtaCommand::Read,
                AtaCommand::Write,
                AtaCommand::Identify,
                AtaCommand::Flush,
            ] {
                for sectors in [0, 1, 2, 17, 255] {
                    let sent = SentAta { command, sectors };
                    if check_ata_reply(&reply, &sent).is_ok() {
                        assert_eq!(reply.data.len(), sent.reply_data_len());
                        assert_eq!(reply.status & ATA_STATUS_FAILED, 0);
                    }
                }
            }
        }
        Response::Config(reply) => {
            let config = reply.config.as_ptr_range();
            assert!(
                reply.config.is_empty() || (config.start >= range.start && config.end <= range.end)
            );
            assert!(reply.config.len() <= CONFIG_STRING_MAX);
        }
        Response::Error { header, .. } => assert_eq!(header.tag >> 31, 0),
    }
    true
}

#[test]
fn random_mutations_never_panic() {
    let mut error = response_header(1, 10, 0, 9);
    error[14] |= FLAG_ERROR;
    let seeds = [
        ata_reply(1, 0x40, &[]),
        ata_reply(2, 0x40, &[0xaa; 512]),
        ata_reply(3, 0x40, &[0x55; 8704]),
        config_reply(16, 17, b"some config string"),
        config_reply(1, 2, b""),
        error,
    ];
    let mut rng = XorShift(0x9e37_79b9_7f4a_7c15);
    let mut accepted = 0usize;
    let rounds = 300_000;
    for round in 0..rounds {
        let mut frame = seeds[round % seeds.len()].clone();
        for _ in 0..=rng.below(4) {
            match rng.below(6) {
                0 | 1 => {
                    let at = rng.below(frame.len().min(64));
                    frame[at] = rng.next() as u8;
                }
                2 => {
                    let at = rng.below(frame.len());
                    frame[at] ^= 1 << rng.below(8);
                }
                3 => frame.truncate(rng.below(frame.len() + 1)),
                4 => frame.extend((0..rng.below(1100)).map(|_| rng.next() as u8)),
                _ => {
                    let at = 28 + rng.below(4);
                    if at < frame.len() {
                        frame[at] = [0, 1, 0xff, rng.next() as u8][rng.below(4)];
                    }
                }
            }
            if frame.is_empty() {
                break;
            }
        }
        if check(&frame) {
            accepted += 1;
        }
    }
    // The mutations must leave enough frames valid to exercise the accepted paths too.
    assert!(accepted > rounds / 20, "only {accepted} accepted");
    assert!(accepted < rounds, "every mutation accepted");
}

#[test]
fn random_bytes_never_panic() {
    let mut rng = XorShift(12345);
    for _ in 0..100_000 {
        let len = rng.below(200);
        let mut frame: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
        // Make the cheap early checks pass often, so the deeper ones see random input.
        if frame.len() > 14 && rng.below(2) == 0 {
            frame[12..15].copy_from_slice(&[0x88, 0xa2, 0x18]);
        }
        check(&frame);
    }
}
