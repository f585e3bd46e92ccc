// SPDX-License-Identifier: GPL-2.0

//! Feeds arbitrary frames to `parse_response`, and accepted ATA replies to `check_ata_reply`.

#![no_main]

use libfuzzer_sys::fuzz_target;
use raoe_logic::wire::{
    check_ata_reply,
    parse_response,
    AtaCommand,
    Response,
    SentAta,
    ATA_HEADER_LEN,
    ATA_STATUS_FAILED,
    SECTOR_SIZE, //
};

/// The requests a reply may answer: the shapes the driver sends.
const EXPECTED: [SentAta; 7] = [
    SentAta {
        command: AtaCommand::Read,
        sectors: 1,
    },
    SentAta {
        command: AtaCommand::Read,
        sectors: 2,
    },
    SentAta {
        command: AtaCommand::Read,
        sectors: 17,
    },
    SentAta {
        command: AtaCommand::Write,
        sectors: 2,
    },
    SentAta {
        command: AtaCommand::Write,
        sectors: 17,
    },
    SentAta {
        command: AtaCommand::Identify,
        sectors: 1,
    },
    SentAta {
        command: AtaCommand::Flush,
        sectors: 0,
    },
];

fuzz_target!(|frame: &[u8]| {
    let range = frame.as_ptr_range();
    match parse_response(frame) {
        Ok(Response::Ata(reply)) => {
            if !reply.data.is_empty() {
                let data = reply.data.as_ptr_range();
                assert!(data.start >= range.start && data.end <= range.end);
                assert_eq!(data.start as usize - range.start as usize, ATA_HEADER_LEN);
            }
            assert_eq!(reply.data.len() % SECTOR_SIZE, 0);
            for expected in &EXPECTED {
                if check_ata_reply(&reply, expected).is_ok() {
                    assert_eq!(reply.data.len(), expected.reply_data_len());
                    assert_eq!(reply.status & ATA_STATUS_FAILED, 0);
                }
            }
        }
        Ok(Response::Config(reply)) => {
            if !reply.config.is_empty() {
                let config = reply.config.as_ptr_range();
                assert!(config.start >= range.start && config.end <= range.end);
            }
        }
        Ok(Response::Error { header, .. }) => assert_eq!(header.tag >> 31, 0),
        Err(reason) => assert!(reason.index() < raoe_logic::wire::DropReason::COUNT),
    }
});
