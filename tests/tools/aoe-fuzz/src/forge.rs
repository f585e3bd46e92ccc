// SPDX-License-Identifier: GPL-2.0
//! The mutation kinds and the frames they forge: pure functions of their inputs and a seeded
//! generator, so a seed replays the same frames and the host tests can check every kind.
//!
//! Every forged frame is a response from the target's MAC address to the initiator's. AoE has
//! no authentication, so a frame that carries a live tag, the right length, no error flag and a
//! good ATA status is the target's answer to any initiator: no kind builds one. The kinds that
//! take a sniffed request's tag break it in one respect an initiator checks.

use raoe_logic::wire::{
    AtaCommand, SentAta, AFLAG_EXTENDED, ALL_ONES_SHELF, AOE_HEADER_LEN, AOE_VERSION,
    ATA_CMD_IDENTIFY, ATA_CMD_READ, ATA_CMD_READ_EXT, ATA_CMD_WRITE, ATA_CMD_WRITE_EXT,
    ATA_HEADER_LEN, BROADCAST_SHELF, BROADCAST_SLOT, CMD_ATA, CMD_CONFIG, CONFIG_HEADER_LEN,
    CONFIG_STRING_MAX, ETH_HEADER_LEN, ETH_MIN_FRAME_LEN, ETH_P_AOE, FLAG_ERROR, FLAG_RESPONSE,
    SECTOR_SIZE, TAG_RESERVED_BIT,
};
use tool_common::rng::Xorshift64;

/// The longest frame the link carries: the 1500-byte MTU plus the Ethernet header. The kernel
/// refuses to send a longer one.
pub const MAX_FRAME_LEN: usize = 1514;
/// The most data an ATA response can carry on this link.
const MAX_DATA_LEN: usize = MAX_FRAME_LEN - ATA_HEADER_LEN;
/// The ATA status DRDY, which vblade reports for every command that succeeds.
const ATA_STATUS_READY: u8 = 0x40;

/// How a frame is wrong.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    /// Random bytes of a random length after an AoE Ethernet header, or shorter than one.
    RandomBytes,
    /// A real response of the target, answered a while ago, cut at a random length.
    TruncatedReply,
    /// An AoE version other than 1.
    BadVersion,
    /// The response flag clear: a request, sent to the initiator.
    NotResponse,
    /// The error flag set, with a random error code.
    ErrorFlag,
    /// An AoE command that is neither ATA nor config.
    UnknownCommand,
    /// The broadcast shelf, the all-ones shelf or the broadcast slot.
    BroadcastAddress,
    /// A real config response whose string length exceeds the frame or 1024.
    ConfigBadLength,
    /// A well-formed ATA response whose tag the initiator never issued.
    RandomTag,
    /// Tag bit 31 set.
    ReservedTag,
    /// A real response of the target, sent again unchanged a while after it was answered.
    LateDuplicate,
    /// Fewer data bytes than the request needs.
    ShortData,
    /// More data bytes than the request asked for.
    ExcessData,
    /// Data that is not a whole number of sectors.
    PartialSector,
}

impl Kind {
    /// Every kind, in the order of the summary.
    pub const ALL: [Kind; 14] = [
        Kind::RandomBytes,
        Kind::TruncatedReply,
        Kind::BadVersion,
        Kind::NotResponse,
        Kind::ErrorFlag,
        Kind::UnknownCommand,
        Kind::BroadcastAddress,
        Kind::ConfigBadLength,
        Kind::RandomTag,
        Kind::ReservedTag,
        Kind::LateDuplicate,
        Kind::ShortData,
        Kind::ExcessData,
        Kind::PartialSector,
    ];

    /// The kinds that may carry the tag of a request still in flight, each invalid in a
    /// respect the initiator checks: data length, version, flags or command. Tag bit 31 makes
    /// the tag a different one.
    pub const STEALING: [Kind; 8] = [
        Kind::ShortData,
        Kind::ExcessData,
        Kind::PartialSector,
        Kind::ErrorFlag,
        Kind::BadVersion,
        Kind::UnknownCommand,
        Kind::NotResponse,
        Kind::ReservedTag,
    ];

    /// The snake_case name the summary prints.
    pub fn name(self) -> &'static str {
        match self {
            Kind::RandomBytes => "random_bytes",
            Kind::TruncatedReply => "truncated_reply",
            Kind::BadVersion => "bad_version",
            Kind::NotResponse => "not_response",
            Kind::ErrorFlag => "error_flag",
            Kind::UnknownCommand => "unknown_command",
            Kind::BroadcastAddress => "broadcast_address",
            Kind::ConfigBadLength => "config_bad_length",
            Kind::RandomTag => "random_tag",
            Kind::ReservedTag => "reserved_tag",
            Kind::LateDuplicate => "late_duplicate",
            Kind::ShortData => "short_data",
            Kind::ExcessData => "excess_data",
            Kind::PartialSector => "partial_sector",
        }
    }

    /// Whether the kind answers a sniffed request, whose tag and addresses it takes.
    pub fn answers_request(self) -> bool {
        Kind::STEALING.contains(&self) || self == Kind::BroadcastAddress
    }

    /// Whether the kind can answer `request` at all: a reply to a write cannot be short, and
    /// a reply to a two-sector read cannot carry a third sector within the MTU.
    pub fn applies_to(self, request: &Request) -> bool {
        let needed = request.sent.reply_data_len();
        match self {
            Kind::ShortData => needed > 0,
            Kind::ExcessData => needed + SECTOR_SIZE <= MAX_DATA_LEN,
            _ => true,
        }
    }
}

/// The addresses of the link: the initiator's and the target's MAC, the target's shelf.slot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Link {
    pub initiator: [u8; 6],
    pub target: [u8; 6],
    pub shelf: u16,
    pub slot: u8,
}

/// An ATA request of the initiator: its headers (a write's data left out) and what a good
/// reply to it carries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    pub head: [u8; ATA_HEADER_LEN],
    pub sent: SentAta,
}

impl Request {
    /// Reads an ATA read, write or IDENTIFY request; anything else is not a request to track.
    pub fn parse(frame: &[u8]) -> Option<Request> {
        let head: [u8; ATA_HEADER_LEN] = frame.get(..ATA_HEADER_LEN)?.try_into().ok()?;
        if u16::from_be_bytes([head[12], head[13]]) != ETH_P_AOE
            || head[14] != AOE_VERSION << 4
            || head[19] != CMD_ATA
        {
            return None;
        }
        let (command, sectors) = match head[27] {
            ATA_CMD_READ | ATA_CMD_READ_EXT => (AtaCommand::Read, head[26]),
            ATA_CMD_WRITE | ATA_CMD_WRITE_EXT => (AtaCommand::Write, head[26]),
            ATA_CMD_IDENTIFY => (AtaCommand::Identify, 1),
            _ => return None,
        };
        Some(Request {
            head,
            sent: SentAta { command, sectors },
        })
    }

    /// A two-sector read the initiator never sent, for kinds that need a request when none
    /// was sniffed.
    pub fn invented(link: &Link, tag: u32) -> Request {
        let mut head = [0; ATA_HEADER_LEN];
        head[0..6].copy_from_slice(&link.target);
        head[6..12].copy_from_slice(&link.initiator);
        head[12..14].copy_from_slice(&ETH_P_AOE.to_be_bytes());
        head[14] = AOE_VERSION << 4;
        head[16..18].copy_from_slice(&link.shelf.to_be_bytes());
        head[18] = link.slot;
        head[19] = CMD_ATA;
        head[20..24].copy_from_slice(&tag.to_be_bytes());
        head[24] = AFLAG_EXTENDED;
        head[26] = 2;
        head[27] = ATA_CMD_READ_EXT;
        Request {
            head,
            sent: SentAta {
                command: AtaCommand::Read,
                sectors: 2,
            },
        }
    }

    pub fn tag(&self) -> u32 {
        tag_of(&self.head).unwrap_or(0)
    }

    /// The link as this request shows it: it goes from the initiator to the target.
    pub fn link(&self) -> Link {
        let mut initiator = [0; 6];
        initiator.copy_from_slice(&self.head[6..12]);
        let mut target = [0; 6];
        target.copy_from_slice(&self.head[0..6]);
        Link {
            initiator,
            target,
            shelf: u16::from_be_bytes([self.head[16], self.head[17]]),
            slot: self.head[18],
        }
    }
}

/// The tag of an AoE frame, if it is long enough to have one.
pub fn tag_of(frame: &[u8]) -> Option<u32> {
    Some(u32::from_be_bytes(frame.get(20..24)?.try_into().ok()?))
}

/// What the kinds build from; the caller picks each part.
pub struct Input<'a> {
    pub link: Link,
    /// The request a kind that answers one takes its tag from; `None` answers an invented
    /// request with `unused_tag`.
    pub victim: Option<&'a Request>,
    /// A real response of the target whose request was answered a while ago.
    pub old_reply: Option<&'a [u8]>,
    /// A real config response of the target.
    pub config_reply: Option<&'a [u8]>,
    /// A tag that no request the fuzzer saw carries.
    pub unused_tag: u32,
}

/// Builds one frame of `kind`, or `None` when the input lacks what the kind needs (a real
/// response, a config response, or a request the kind applies to).
pub fn forge(kind: Kind, input: &Input<'_>, rng: &mut Xorshift64) -> Option<Vec<u8>> {
    let invented;
    let request = match input.victim {
        Some(victim) => victim,
        None => {
            invented = Request::invented(&input.link, input.unused_tag);
            &invented
        }
    };
    if !kind.applies_to(request) {
        return None;
    }
    let needed = request.sent.reply_data_len();
    let frame = match kind {
        Kind::RandomBytes => random_bytes(&input.link, rng),
        Kind::TruncatedReply => {
            let reply = input.old_reply?;
            let len = ETH_HEADER_LEN + rng.below(reply.len().checked_sub(ETH_HEADER_LEN)?.max(1));
            reply.get(..len)?.to_vec()
        }
        Kind::LateDuplicate => input.old_reply?.to_vec(),
        Kind::ConfigBadLength => config_bad_length(input.config_reply?, rng)?,
        Kind::RandomTag => reply(&Request::invented(&input.link, input.unused_tag), 1024, rng),
        Kind::BadVersion => {
            let mut frame = reply(request, needed, rng);
            // Any version but 1, in the high nibble.
            let version = (AOE_VERSION + 1 + rng.below(15) as u8) & 0x0f;
            frame[14] = version << 4 | FLAG_RESPONSE;
            frame
        }
        Kind::NotResponse => {
            let mut frame = reply(request, needed, rng);
            frame[14] = AOE_VERSION << 4;
            frame
        }
        Kind::ErrorFlag => {
            let mut frame = reply(request, needed, rng);
            frame[14] |= FLAG_ERROR;
            frame[15] = rng.next_u64() as u8;
            frame
        }
        Kind::UnknownCommand => {
            let mut frame = reply(request, needed, rng);
            frame[19] = CMD_CONFIG + 1 + rng.below(254) as u8;
            frame
        }
        Kind::BroadcastAddress => {
            let mut frame = reply(request, needed, rng);
            match rng.below(3) {
                0 => frame[16..18].copy_from_slice(&BROADCAST_SHELF.to_be_bytes()),
                1 => frame[16..18].copy_from_slice(&ALL_ONES_SHELF.to_be_bytes()),
                _ => frame[18] = BROADCAST_SLOT,
            }
            frame
        }
        Kind::ReservedTag => {
            let mut frame = reply(request, needed, rng);
            frame[20] |= (TAG_RESERVED_BIT >> 24) as u8;
            frame
        }
        Kind::ShortData => reply(request, rng.below(needed / SECTOR_SIZE) * SECTOR_SIZE, rng),
        Kind::ExcessData => {
            let room = (MAX_DATA_LEN - needed) / SECTOR_SIZE;
            reply(request, needed + (1 + rng.below(room)) * SECTOR_SIZE, rng)
        }
        Kind::PartialSector => reply(request, partial_sector_len(rng), rng),
    };
    Some(frame)
}

/// An ATA response to `request` as vblade lays it out, with `data_len` random data bytes:
/// the request's addresses swapped, its tag, its ATA flags and LBA, status DRDY. A frame
/// shorter than the Ethernet minimum is zero-padded to it, as vblade pads.
pub(crate) fn reply(request: &Request, data_len: usize, rng: &mut Xorshift64) -> Vec<u8> {
    let mut frame = request.head.to_vec();
    frame.copy_within(0..6, 6);
    frame[0..6].copy_from_slice(&request.head[6..12]);
    frame[14] = AOE_VERSION << 4 | FLAG_RESPONSE;
    frame[15] = 0;
    // errfeat, scnt (sectors left: none) and status; aflags and the LBA stay as sent.
    frame[25] = 0;
    frame[26] = 0;
    frame[27] = ATA_STATUS_READY;
    let head_len = frame.len();
    frame.resize(head_len + data_len, 0);
    rng.fill(&mut frame[head_len..]);
    if frame.len() < ETH_MIN_FRAME_LEN {
        frame.resize(ETH_MIN_FRAME_LEN, 0);
    }
    frame
}

/// A data length that is not a multiple of the sector size and makes the frame longer than the
/// Ethernet minimum, whose padding would otherwise hide it.
fn partial_sector_len(rng: &mut Xorshift64) -> usize {
    let shortest = ETH_MIN_FRAME_LEN + 1 - ATA_HEADER_LEN;
    loop {
        let len = shortest + rng.below(MAX_DATA_LEN - shortest + 1);
        if !len.is_multiple_of(SECTOR_SIZE) {
            return len;
        }
    }
}

/// Random bytes. A quarter are shorter than the AoE header, a few of those shorter than the
/// Ethernet header, which the kernel refuses to send; from 14 bytes on, the Ethernet header is
/// the link's, so the frame reaches the initiator's AoE handler.
fn random_bytes(link: &Link, rng: &mut Xorshift64) -> Vec<u8> {
    let len = match rng.below(16) {
        0 => rng.below(ETH_HEADER_LEN),
        1..=3 => ETH_HEADER_LEN + rng.below(AOE_HEADER_LEN - ETH_HEADER_LEN),
        _ => AOE_HEADER_LEN + rng.below(MAX_FRAME_LEN - AOE_HEADER_LEN + 1),
    };
    let mut frame = vec![0; len];
    rng.fill(&mut frame);
    if len >= ETH_HEADER_LEN {
        frame[0..6].copy_from_slice(&link.initiator);
        frame[6..12].copy_from_slice(&link.target);
        frame[12..14].copy_from_slice(&ETH_P_AOE.to_be_bytes());
    }
    frame
}

/// The config response `config` with a string length beyond the frame, or beyond 1024 bytes
/// with the string all there (cut at the MTU).
fn config_bad_length(config: &[u8], rng: &mut Xorshift64) -> Option<Vec<u8>> {
    let mut frame = config.get(..CONFIG_HEADER_LEN)?.to_vec();
    let string_len = rng.below(MAX_FRAME_LEN - CONFIG_HEADER_LEN + 1);
    frame.extend((0..string_len).map(|_| b'a' + rng.below(26) as u8));
    let claimed = if rng.below(2) == 0 {
        string_len + 1 + rng.below(CONFIG_STRING_MAX)
    } else {
        CONFIG_STRING_MAX + 1 + rng.below(usize::from(u16::MAX) - CONFIG_STRING_MAX)
    };
    let claimed = u16::try_from(claimed).unwrap_or(u16::MAX);
    frame[30..32].copy_from_slice(&claimed.to_be_bytes());
    Some(frame)
}

#[cfg(test)]
mod tests {
    use super::*;
    use raoe_logic::wire::{check_ata_reply, parse_response, DropReason, Response, AFLAG_WRITE};

    const LINK: Link = Link {
        initiator: [0x02, 0, 0, 0, 0, 1],
        target: [0x02, 0, 0, 0, 0, 2],
        shelf: 0,
        slot: 1,
    };

    /// A request as aoe.ko sends it: LBA48 command `ata` of `sectors` with tag `tag`.
    fn request(ata: u8, sectors: u8, tag: u32) -> Request {
        let mut head = Request::invented(&LINK, tag).head;
        head[26] = sectors;
        head[27] = ata;
        let write = ata == ATA_CMD_WRITE_EXT;
        if write {
            head[24] |= AFLAG_WRITE;
        }
        let mut frame = head.to_vec();
        let data_len = if write {
            SECTOR_SIZE * usize::from(sectors)
        } else {
            0
        };
        frame.extend(std::iter::repeat_n(0xa5, data_len));
        Request::parse(&frame).expect("a request")
    }

    /// The requests the fuzzer meets: two- and one-sector reads, writes, IDENTIFY.
    fn requests() -> Vec<Request> {
        vec![
            request(ATA_CMD_READ_EXT, 2, 0x1234_0001),
            request(ATA_CMD_READ_EXT, 1, 0x1234_0002),
            request(ATA_CMD_WRITE_EXT, 2, 0x1234_0003),
            request(ATA_CMD_WRITE_EXT, 1, 0x1234_0004),
            request(ATA_CMD_IDENTIFY, 1, 0x1234_0005),
        ]
    }

    /// vblade's reply to a request: the data it needs, nothing else wrong.
    fn good_reply(request: &Request) -> Vec<u8> {
        reply(
            request,
            request.sent.reply_data_len(),
            &mut Xorshift64::new(9),
        )
    }

    fn config_reply() -> Vec<u8> {
        let mut frame = good_reply(&requests()[0])[..CONFIG_HEADER_LEN].to_vec();
        frame[19] = CMD_CONFIG;
        frame[24..26].copy_from_slice(&16u16.to_be_bytes());
        frame[28] = 2;
        frame.resize(ETH_MIN_FRAME_LEN, 0);
        frame
    }

    fn input<'a>(victim: Option<&'a Request>, old: &'a [u8], config: &'a [u8]) -> Input<'a> {
        Input {
            link: LINK,
            victim,
            old_reply: Some(old),
            config_reply: Some(config),
            unused_tag: 0x0bad_cafe,
        }
    }

    #[test]
    fn good_reply_passes_the_checks_it_must_fail_when_forged() {
        for request in requests() {
            let frame = good_reply(&request);
            let Ok(Response::Ata(parsed)) = parse_response(&frame) else {
                panic!("{frame:?}");
            };
            assert_eq!(check_ata_reply(&parsed, &request.sent), Ok(()));
            assert_eq!(parsed.header.tag, request.tag());
        }
    }

    /// The rule of the fuzzer: a frame that carries a victim's tag is one its initiator
    /// rejects, by raoe's checks, which include everything a target's answer must get right.
    #[test]
    fn stolen_tags_never_come_with_a_valid_reply() {
        let mut rng = Xorshift64::new(1);
        let (old, config) = (good_reply(&requests()[0]), config_reply());
        for request in requests() {
            for kind in Kind::STEALING {
                for _ in 0..200 {
                    let Some(frame) = forge(kind, &input(Some(&request), &old, &config), &mut rng)
                    else {
                        assert!(!kind.applies_to(&request), "{kind:?}");
                        break;
                    };
                    let verdict = parse_response(&frame).and_then(|response| match response {
                        Response::Ata(reply) if reply.header.tag == request.tag() => {
                            check_ata_reply(&reply, &request.sent)
                        }
                        _ => Ok(()),
                    });
                    let rejected = verdict.is_err()
                        || matches!(parse_response(&frame), Ok(Response::Error { .. }));
                    assert!(rejected, "{kind:?} {:?} {}", request.sent, frame.len());
                    assert_eq!(&frame[0..12], &[LINK.initiator, LINK.target].concat());
                }
            }
        }
    }

    #[test]
    fn each_kind_is_rejected_for_its_reason() {
        let mut rng = Xorshift64::new(2);
        let (old, config) = (good_reply(&requests()[0]), config_reply());
        let expected = |kind| match kind {
            Kind::BadVersion => vec![DropReason::UnsupportedVersion],
            Kind::NotResponse => vec![DropReason::NotResponse],
            Kind::UnknownCommand => vec![DropReason::UnsupportedCommand],
            Kind::BroadcastAddress => vec![DropReason::BroadcastShelf, DropReason::BroadcastSlot],
            Kind::ConfigBadLength => vec![DropReason::BadConfigLength],
            Kind::ReservedTag => vec![DropReason::ReservedTag],
            Kind::ShortData => vec![DropReason::ShortData],
            Kind::ExcessData => vec![DropReason::ExcessData],
            Kind::PartialSector => vec![DropReason::PartialSector],
            _ => vec![],
        };
        for request in requests() {
            for kind in Kind::ALL {
                let reasons = expected(kind);
                if reasons.is_empty() || !kind.applies_to(&request) {
                    continue;
                }
                for _ in 0..100 {
                    let frame = forge(kind, &input(Some(&request), &old, &config), &mut rng)
                        .expect("applies");
                    let reason = match parse_response(&frame) {
                        Err(reason) => reason,
                        Ok(Response::Ata(reply)) => {
                            check_ata_reply(&reply, &request.sent).expect_err("rejected")
                        }
                        Ok(other) => panic!("{kind:?} parsed as {other:?}"),
                    };
                    assert!(reasons.contains(&reason), "{kind:?}: {reason:?}");
                }
            }
        }
    }

    #[test]
    fn error_flag_frames_are_error_responses_with_random_codes() {
        let mut rng = Xorshift64::new(3);
        let (old, config) = (good_reply(&requests()[0]), config_reply());
        let mut codes = std::collections::HashSet::new();
        for _ in 0..1000 {
            let frame = forge(Kind::ErrorFlag, &input(None, &old, &config), &mut rng).unwrap();
            assert!(matches!(parse_response(&frame), Ok(Response::Error { .. })));
            codes.insert(frame[15]);
        }
        assert!(codes.len() > 200, "{}", codes.len());
    }

    #[test]
    fn random_tag_replies_are_well_formed_with_the_unused_tag() {
        let mut rng = Xorshift64::new(4);
        let (old, config) = (good_reply(&requests()[0]), config_reply());
        let frame = forge(Kind::RandomTag, &input(None, &old, &config), &mut rng).unwrap();
        let Ok(Response::Ata(reply)) = parse_response(&frame) else {
            panic!("not an ATA reply");
        };
        assert_eq!(reply.header.tag, 0x0bad_cafe);
        assert_eq!(reply.data.len(), 1024);
    }

    #[test]
    fn copies_of_real_replies() {
        let mut rng = Xorshift64::new(5);
        let (old, config) = (good_reply(&requests()[0]), config_reply());
        let input = input(None, &old, &config);
        assert_eq!(
            forge(Kind::LateDuplicate, &input, &mut rng),
            Some(old.clone())
        );
        for _ in 0..1000 {
            let cut = forge(Kind::TruncatedReply, &input, &mut rng).unwrap();
            assert!((ETH_HEADER_LEN..old.len()).contains(&cut.len()));
            assert_eq!(cut, old[..cut.len()]);
        }
    }

    #[test]
    fn kinds_without_their_material_build_nothing() {
        let mut rng = Xorshift64::new(6);
        let bare = Input {
            link: LINK,
            victim: None,
            old_reply: None,
            config_reply: None,
            unused_tag: 1,
        };
        for kind in [
            Kind::LateDuplicate,
            Kind::TruncatedReply,
            Kind::ConfigBadLength,
        ] {
            assert_eq!(forge(kind, &bare, &mut rng), None, "{kind:?}");
        }
        let write = &requests()[2];
        let victim = Input {
            victim: Some(write),
            ..bare
        };
        assert_eq!(forge(Kind::ShortData, &victim, &mut rng), None);
        assert_eq!(
            forge(
                Kind::ExcessData,
                &input(Some(&requests()[0]), &[], &[]),
                &mut rng
            ),
            None
        );
    }

    #[test]
    fn random_bytes_lengths_span_runts_to_the_mtu() {
        let mut rng = Xorshift64::new(7);
        let (old, config) = (good_reply(&requests()[0]), config_reply());
        let lens: Vec<usize> = (0..10_000)
            .map(|_| {
                forge(Kind::RandomBytes, &input(None, &old, &config), &mut rng)
                    .unwrap()
                    .len()
            })
            .collect();
        assert!(lens.iter().any(|&len| len < ETH_HEADER_LEN));
        assert!(lens
            .iter()
            .any(|&len| (ETH_HEADER_LEN..AOE_HEADER_LEN).contains(&len)));
        assert!(lens.iter().any(|&len| len > 1400));
        assert!(lens.iter().all(|&len| len <= MAX_FRAME_LEN));
    }

    #[test]
    fn no_frame_exceeds_the_mtu_and_a_seed_replays_its_frames() {
        let (old, config) = (good_reply(&requests()[0]), config_reply());
        let run = |seed| {
            let mut rng = Xorshift64::new(seed);
            let mut frames = Vec::new();
            for request in requests() {
                for kind in Kind::ALL {
                    for _ in 0..50 {
                        let frame = forge(kind, &input(Some(&request), &old, &config), &mut rng);
                        assert!(frame.as_ref().is_none_or(|f| f.len() <= MAX_FRAME_LEN));
                        frames.push(frame);
                    }
                }
            }
            frames
        };
        assert_eq!(run(11), run(11));
        assert_ne!(run(11), run(12));
    }
}
