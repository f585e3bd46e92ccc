// SPDX-License-Identifier: GPL-2.0

//! The AoE frame format: request builders, the response parser and the reply checks.
//!
//! Offsets count from the start of the Ethernet header, as the frames are laid out on the wire
//! (aoe.h:39-71). Every builder writes into a caller's buffer and every parser checks a length
//! before it reads a byte, so nothing here can panic on a hostile frame.

/// The EtherType of AoE frames (`include/uapi/linux/if_ether.h:92`).
pub const ETH_P_AOE: u16 = 0x88a2;
/// The length of the Ethernet header.
pub const ETH_HEADER_LEN: usize = 14;
/// The minimum Ethernet frame length without the FCS; shorter frames are padded to it.
pub const ETH_MIN_FRAME_LEN: usize = 60;
/// The length of the AoE header, the Ethernet header included.
pub const AOE_HEADER_LEN: usize = 24;
/// The length of the ATA argument that follows the AoE header.
pub const ATA_ARG_LEN: usize = 12;
/// The offset of the ATA data, after both headers.
pub const ATA_HEADER_LEN: usize = AOE_HEADER_LEN + ATA_ARG_LEN;
/// The length of the config argument that follows the AoE header.
pub const CONFIG_ARG_LEN: usize = 8;
/// The offset of the config string, after both headers.
pub const CONFIG_HEADER_LEN: usize = AOE_HEADER_LEN + CONFIG_ARG_LEN;
/// The longest config string a target may hold (AoEr11 section 3.2).
pub const CONFIG_STRING_MAX: usize = 1024;
/// The size of an ATA sector.
pub const SECTOR_SIZE: usize = 512;
/// The Ethernet broadcast address.
pub const BROADCAST_MAC: [u8; 6] = [0xff; 6];
/// The tag bit that belongs to user space (aoenet.c:143): no request here sets it, and a
/// response with it set is not ours.
pub const TAG_RESERVED_BIT: u32 = 1 << 31;

/// The AoE protocol version, in the high nibble of the version/flags byte.
pub const AOE_VERSION: u8 = 1;
/// The response flag, in the low nibble of the version/flags byte.
pub const FLAG_RESPONSE: u8 = 0x08;
/// The error flag, in the low nibble of the version/flags byte.
pub const FLAG_ERROR: u8 = 0x04;

/// The broadcast shelf address.
pub const BROADCAST_SHELF: u16 = 0xffff;
/// A shelf address of all ones in 12 bits, a common dip-switch mistake (aoecmd.c:1550-1554).
pub const ALL_ONES_SHELF: u16 = 0x0fff;
/// The broadcast slot address.
pub const BROADCAST_SLOT: u8 = 0xff;

/// The AoE command code of ATA commands.
pub const CMD_ATA: u8 = 0;
/// The AoE command code of config queries.
pub const CMD_CONFIG: u8 = 1;

/// The ATA argument flag for LBA48 commands.
pub const AFLAG_EXTENDED: u8 = 0x40;
/// The ATA argument flag for the device register bit.
pub const AFLAG_DEVICE: u8 = 0x10;
/// The ATA argument flag for asynchronous writes.
pub const AFLAG_ASYNC: u8 = 0x02;
/// The ATA argument flag for commands that carry data to the target.
pub const AFLAG_WRITE: u8 = 0x01;

/// The ATA command READ SECTORS.
pub const ATA_CMD_READ: u8 = 0x20;
/// The ATA command READ SECTORS EXT.
pub const ATA_CMD_READ_EXT: u8 = 0x24;
/// The ATA command WRITE SECTORS.
pub const ATA_CMD_WRITE: u8 = 0x30;
/// The ATA command WRITE SECTORS EXT.
pub const ATA_CMD_WRITE_EXT: u8 = 0x34;
/// The ATA command IDENTIFY DEVICE.
pub const ATA_CMD_IDENTIFY: u8 = 0xec;
/// The ATA command FLUSH CACHE EXT.
pub const ATA_CMD_FLUSH_EXT: u8 = 0xea;
/// ATA FLUSH CACHE, for devices without FLUSH CACHE EXT.
pub const ATA_CMD_FLUSH: u8 = 0xe7;

/// The ATA status bit BSY.
pub const ATA_STATUS_BUSY: u8 = 0x80;
/// The ATA status bit DF (device fault).
pub const ATA_STATUS_FAULT: u8 = 0x20;
/// The ATA status bit DRQ.
pub const ATA_STATUS_DATA_REQUEST: u8 = 0x08;
/// The ATA status bit ERR.
pub const ATA_STATUS_ERROR: u8 = 0x01;
/// The status bits that a successful command clears (aoecmd.c:1110).
pub const ATA_STATUS_FAILED: u8 =
    ATA_STATUS_BUSY | ATA_STATUS_FAULT | ATA_STATUS_DATA_REQUEST | ATA_STATUS_ERROR;

/// The first sector that LBA28 cannot address.
pub const LBA28_LIMIT: u64 = 1 << 28;
/// The first sector that LBA48 cannot address.
pub const LBA48_LIMIT: u64 = 1 << 48;

/// Why a frame is not used: one variant per counter the driver keeps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DropReason {
    /// The frame is shorter than the AoE header.
    TooShort,
    /// The EtherType is not AoE.
    NotAoe,
    /// The AoE version is not 1.
    UnsupportedVersion,
    /// The response flag is clear: a request, ours or another initiator's.
    NotResponse,
    /// The tag has bit 31 set, which belongs to user space (aoenet.c:143).
    ReservedTag,
    /// The shelf is the broadcast address or all ones in 12 bits.
    BroadcastShelf,
    /// The slot is the broadcast address.
    BroadcastSlot,
    /// The command is neither ATA nor config (aoenet.c:178-182).
    UnsupportedCommand,
    /// An ATA response is shorter than its argument.
    TruncatedAta,
    /// The ATA data is not a whole number of sectors.
    PartialSector,
    /// A config response is shorter than its argument.
    TruncatedConfig,
    /// The config string length exceeds the frame or the protocol's limit.
    BadConfigLength,
    /// The tag matches no frame in flight: never sent, already answered, or too old.
    UnsolicitedTag,
    /// The ATA status reports an error (aoecmd.c:1110).
    AtaError,
    /// The reply carries less data than the command needs.
    ShortData,
    /// The reply carries more data than the command asked for.
    ExcessData,
    /// The response has the error flag set: logged to /dev/etherd/err, then dropped.
    ErrorResponse,
}

impl DropReason {
    /// Every reason, in `index` order.
    pub const ALL: [DropReason; 17] = [
        DropReason::TooShort,
        DropReason::NotAoe,
        DropReason::UnsupportedVersion,
        DropReason::NotResponse,
        DropReason::ReservedTag,
        DropReason::BroadcastShelf,
        DropReason::BroadcastSlot,
        DropReason::UnsupportedCommand,
        DropReason::TruncatedAta,
        DropReason::PartialSector,
        DropReason::TruncatedConfig,
        DropReason::BadConfigLength,
        DropReason::UnsolicitedTag,
        DropReason::AtaError,
        DropReason::ShortData,
        DropReason::ExcessData,
        DropReason::ErrorResponse,
    ];

    /// The number of reasons, for an array of counters.
    pub const COUNT: usize = Self::ALL.len();

    /// The position of this reason in `ALL`, below `COUNT`.
    pub fn index(self) -> usize {
        self as usize
    }

    /// A short snake_case name for counters and logs.
    pub fn name(self) -> &'static str {
        match self {
            DropReason::TooShort => "too_short",
            DropReason::NotAoe => "not_aoe",
            DropReason::UnsupportedVersion => "unsupported_version",
            DropReason::NotResponse => "not_response",
            DropReason::ReservedTag => "reserved_tag",
            DropReason::BroadcastShelf => "broadcast_shelf",
            DropReason::BroadcastSlot => "broadcast_slot",
            DropReason::UnsupportedCommand => "unsupported_command",
            DropReason::TruncatedAta => "truncated_ata",
            DropReason::PartialSector => "partial_sector",
            DropReason::TruncatedConfig => "truncated_config",
            DropReason::BadConfigLength => "bad_config_length",
            DropReason::UnsolicitedTag => "unsolicited_tag",
            DropReason::AtaError => "ata_error",
            DropReason::ShortData => "short_data",
            DropReason::ExcessData => "excess_data",
            DropReason::ErrorResponse => "error_response",
        }
    }

    /// Whether the frame's request must fail, rather than wait for a retransmission.
    ///
    /// An ATA error or a short read is an answer, and a wrong one (aoecmd.c:1110-1134); any
    /// other reason means the frame is ignored and its request stays in flight.
    pub fn fails_request(self) -> bool {
        matches!(self, DropReason::AtaError | DropReason::ShortData)
    }
}

/// The error code of a response with the error flag set (AoEr11 section 2.4).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorCode {
    /// 1: the target does not know the command.
    BadCommand,
    /// 2: an argument is invalid.
    BadArgument,
    /// 3: the device is unavailable.
    DeviceUnavailable,
    /// 4: a config set failed because a different string is already set.
    ConfigStringPresent,
    /// 5: the target does not support this AoE version.
    UnsupportedVersion,
    /// 6: the target is reserved for other initiators.
    TargetReserved,
    /// Any other code.
    Unknown(u8),
}

impl ErrorCode {
    /// Decodes the error byte of the AoE header.
    pub fn from_wire(code: u8) -> Self {
        match code {
            1 => ErrorCode::BadCommand,
            2 => ErrorCode::BadArgument,
            3 => ErrorCode::DeviceUnavailable,
            4 => ErrorCode::ConfigStringPresent,
            5 => ErrorCode::UnsupportedVersion,
            6 => ErrorCode::TargetReserved,
            other => ErrorCode::Unknown(other),
        }
    }

    /// The error byte as sent on the wire.
    pub fn code(self) -> u8 {
        match self {
            ErrorCode::BadCommand => 1,
            ErrorCode::BadArgument => 2,
            ErrorCode::DeviceUnavailable => 3,
            ErrorCode::ConfigStringPresent => 4,
            ErrorCode::UnsupportedVersion => 5,
            ErrorCode::TargetReserved => 6,
            ErrorCode::Unknown(code) => code,
        }
    }

    /// The text aoe.ko logs for this code (aoenet.c:18-26), and one for code 6, which it lacks.
    pub fn message(self) -> &'static str {
        match self {
            ErrorCode::BadCommand => "unrecognized command code",
            ErrorCode::BadArgument => "bad argument parameter",
            ErrorCode::DeviceUnavailable => "device unavailable",
            ErrorCode::ConfigStringPresent => "config string present",
            ErrorCode::UnsupportedVersion => "unsupported version",
            ErrorCode::TargetReserved => "target reserved",
            ErrorCode::Unknown(_) => "no such error",
        }
    }
}

/// Why a request could not be built.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BuildError {
    /// The buffer is shorter than the frame.
    BufferTooSmall,
    /// The tag has bit 31 set, which belongs to user space.
    ReservedTag,
    /// The sectors lie beyond what the addressing mode can reach.
    LbaOutOfRange,
    /// A read or write of zero sectors.
    NoSectors,
}

/// The ATA commands the initiator sends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AtaCommand {
    /// Reads sectors from the target.
    Read,
    /// Writes sectors; the caller appends the data after the header.
    Write,
    /// Asks for the 512-byte IDENTIFY DEVICE data.
    Identify,
    /// Flushes the target's write cache.
    Flush,
}

/// Shows a MAC address as aoe.ko's messages do (`%pm`): twelve hex digits, no separators.
pub struct MacHex(pub [u8; 6]);

impl core::fmt::Display for MacHex {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        self.0.iter().try_for_each(|byte| write!(f, "{byte:02x}"))
    }
}

/// The addressing fields of an AoE header, in requests and responses alike.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Header {
    /// The destination MAC address.
    pub dst: [u8; 6],
    /// The source MAC address.
    pub src: [u8; 6],
    /// The target's shelf address.
    pub shelf: u16,
    /// The target's slot address.
    pub slot: u8,
    /// The tag: chosen by the initiator, echoed by the target.
    pub tag: u32,
}

impl Header {
    /// The header of a config query to every target on the segment, as discovery sends.
    pub fn config_broadcast(src: [u8; 6]) -> Self {
        Self::config_device(src, BROADCAST_SHELF, BROADCAST_SLOT)
    }

    /// The header of a config query to the targets of one device, broadcast as aoe.ko does
    /// (aoecmd.c:414-451), with tag 0.
    pub fn config_device(src: [u8; 6], shelf: u16, slot: u8) -> Self {
        Header {
            dst: BROADCAST_MAC,
            src,
            shelf,
            slot,
            tag: 0,
        }
    }
}

/// An ATA request to one target.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AtaRequest {
    /// The addresses and the tag, which the target echoes; bit 31 of the tag must be clear.
    pub header: Header,
    /// The command.
    pub command: AtaCommand,
    /// The first sector, for reads and writes.
    pub lba: u64,
    /// The number of sectors, for reads and writes.
    pub sectors: u8,
    /// Whether the device takes LBA48 commands (word 83 or 86 bit 10 of its IDENTIFY data).
    pub lba48: bool,
}

/// What the driver remembers of an ATA request to check its reply.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SentAta {
    /// The command that was sent.
    pub command: AtaCommand,
    /// The number of sectors requested: always 1 for IDENTIFY, 0 for a flush.
    pub sectors: u8,
}

impl SentAta {
    /// The number of data bytes a successful reply carries.
    pub fn reply_data_len(&self) -> usize {
        match self.command {
            AtaCommand::Read | AtaCommand::Identify => usize::from(self.sectors) * SECTOR_SIZE,
            AtaCommand::Write | AtaCommand::Flush => 0,
        }
    }
}

impl AtaRequest {
    /// What the reply to this request is checked against.
    pub fn sent(&self) -> SentAta {
        let sectors = match self.command {
            AtaCommand::Read | AtaCommand::Write => self.sectors,
            AtaCommand::Identify => 1,
            AtaCommand::Flush => 0,
        };
        SentAta {
            command: self.command,
            sectors,
        }
    }
}

/// The AoE header of a request: the version, no flags (aoecmd.c:127-142).
fn request_header(header: &Header, command: u8) -> Result<[u8; AOE_HEADER_LEN], BuildError> {
    if header.tag & TAG_RESERVED_BIT != 0 {
        return Err(BuildError::ReservedTag);
    }
    let mut head = [0; AOE_HEADER_LEN];
    head[0..6].copy_from_slice(&header.dst);
    head[6..12].copy_from_slice(&header.src);
    head[12..14].copy_from_slice(&ETH_P_AOE.to_be_bytes());
    head[14] = AOE_VERSION << 4;
    head[16..18].copy_from_slice(&header.shelf.to_be_bytes());
    head[18] = header.slot;
    head[19] = command;
    head[20..24].copy_from_slice(&header.tag.to_be_bytes());
    Ok(head)
}

/// Copies a built frame to the start of `buf` and returns its length.
fn emit<const N: usize>(buf: &mut [u8], frame: &[u8; N]) -> Result<usize, BuildError> {
    let (out, _) = buf
        .split_first_chunk_mut::<N>()
        .ok_or(BuildError::BufferTooSmall)?;
    out.copy_from_slice(frame);
    Ok(N)
}

/// Builds the header of an ATA request into `buf` and returns its length, `ATA_HEADER_LEN`.
///
/// A write's data goes right after the header, `sectors * 512` bytes, which the caller adds.
/// Reads and writes use the LBA48 commands with the E flag on LBA48 devices, else the LBA28
/// ones with `lba3 = (lba3 & 0x0f) | 0xe0` (aoecmd.c:331-363). IDENTIFY is sent as in
/// aoecmd.c:1403-1406. A flush carries no data: FLUSH CACHE EXT with the E flag when `lba48`
/// is set (the device reports FLUSH CACHE EXT), else FLUSH CACHE, as libata chooses; aoe.ko
/// never sends one, and vblade v25 knows only FLUSH CACHE (0xe7).
pub fn build_ata_request(buf: &mut [u8], request: &AtaRequest) -> Result<usize, BuildError> {
    let head = request_header(&request.header, CMD_ATA)?;
    let mut lba = [0; 8];
    let (aflags, sectors, command) = match (request.command, request.lba48) {
        (AtaCommand::Read | AtaCommand::Write, lba48) => {
            let limit = if lba48 { LBA48_LIMIT } else { LBA28_LIMIT };
            if request.sectors == 0 {
                return Err(BuildError::NoSectors);
            }
            match request.lba.checked_add(u64::from(request.sectors)) {
                Some(end) if end <= limit => {}
                _ => return Err(BuildError::LbaOutOfRange),
            }
            lba = request.lba.to_le_bytes();
            if !lba48 {
                // LBA mode plus the obsolete bits 7 and 5 of the device register.
                lba[3] = (lba[3] & 0x0f) | 0xe0;
            }
            let (aflags, command) = match (request.command, lba48) {
                (AtaCommand::Write, true) => (AFLAG_WRITE | AFLAG_EXTENDED, ATA_CMD_WRITE_EXT),
                (AtaCommand::Write, false) => (AFLAG_WRITE, ATA_CMD_WRITE),
                (_, true) => (AFLAG_EXTENDED, ATA_CMD_READ_EXT),
                (_, false) => (0, ATA_CMD_READ),
            };
            (aflags, request.sectors, command)
        }
        (AtaCommand::Identify, _) => {
            lba[3] = 0xa0;
            (0, 1, ATA_CMD_IDENTIFY)
        }
        (AtaCommand::Flush, true) => (AFLAG_EXTENDED, 0, ATA_CMD_FLUSH_EXT),
        (AtaCommand::Flush, false) => (0, 0, ATA_CMD_FLUSH),
    };
    // The ATA argument: aflags, errfeat, scnt, cmdstat, lba0-lba5, two reserved bytes.
    let mut frame = [0; ATA_HEADER_LEN];
    frame[..AOE_HEADER_LEN].copy_from_slice(&head);
    frame[24] = aflags;
    frame[26] = sectors;
    frame[27] = command;
    frame[28..34].copy_from_slice(&lba[0..6]);
    emit(buf, &frame)
}

/// Builds a config query (read, all-zero config argument) and returns its length.
///
/// `Header::config_broadcast` and `Header::config_device` give the headers aoe.ko sends.
pub fn build_config_query(buf: &mut [u8], header: &Header) -> Result<usize, BuildError> {
    let mut frame = [0; CONFIG_HEADER_LEN];
    frame[..AOE_HEADER_LEN].copy_from_slice(&request_header(header, CMD_CONFIG)?);
    emit(buf, &frame)
}

/// A response to an ATA request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AtaReply<'a> {
    /// The AoE header.
    pub header: Header,
    /// The ATA argument flags.
    pub aflags: u8,
    /// The ATA error register.
    pub error: u8,
    /// The ATA sector count register: the sectors left, 0 on success.
    pub sector_count: u8,
    /// The ATA status register.
    pub status: u8,
    /// The LBA registers.
    pub lba: u64,
    /// The data: whole sectors, empty for a reply padded to the Ethernet minimum.
    pub data: &'a [u8],
}

/// A response to a config query.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConfigReply<'a> {
    /// The AoE header.
    pub header: Header,
    /// How many requests the target can queue.
    pub buffer_count: u16,
    /// The target's firmware version.
    pub firmware_version: u16,
    /// The most sectors the target takes in one ATA request; 0 means the default.
    pub sector_count: u8,
    /// The config command answered (low nibble of the version/command byte).
    pub ccmd: u8,
    /// The config string.
    pub config: &'a [u8],
}

/// A response that passed every check of `parse_response`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Response<'a> {
    /// A response to an ATA request.
    Ata(AtaReply<'a>),
    /// A response to a config query.
    Config(ConfigReply<'a>),
    /// A response with the error flag set, whatever its command.
    Error {
        /// The AoE header.
        header: Header,
        /// The error code.
        code: ErrorCode,
    },
}

/// Parses a received frame, the Ethernet header included, and checks every field it reads.
///
/// The checks come in the order aoe.ko makes them (aoenet.c:141-182), with these differences:
/// the version must be 1 (aoe.ko ignores it); broadcast and all-ones addresses are dropped for
/// every command, not only config (aoecmd.c:1550-1564); ATA data must be whole sectors, and the
/// config string must fit the frame.
pub fn parse_response(frame: &[u8]) -> Result<Response<'_>, DropReason> {
    let (head, rest) = frame
        .split_first_chunk::<AOE_HEADER_LEN>()
        .ok_or(DropReason::TooShort)?;
    if u16::from_be_bytes([head[12], head[13]]) != ETH_P_AOE {
        return Err(DropReason::NotAoe);
    }
    let version_flags = head[14];
    if version_flags >> 4 != AOE_VERSION {
        return Err(DropReason::UnsupportedVersion);
    }
    if version_flags & FLAG_RESPONSE == 0 {
        return Err(DropReason::NotResponse);
    }
    let mut dst = [0; 6];
    dst.copy_from_slice(&head[0..6]);
    let mut src = [0; 6];
    src.copy_from_slice(&head[6..12]);
    let header = Header {
        dst,
        src,
        shelf: u16::from_be_bytes([head[16], head[17]]),
        slot: head[18],
        tag: u32::from_be_bytes([head[20], head[21], head[22], head[23]]),
    };
    if header.tag & TAG_RESERVED_BIT != 0 {
        return Err(DropReason::ReservedTag);
    }
    if header.shelf == BROADCAST_SHELF || header.shelf == ALL_ONES_SHELF {
        return Err(DropReason::BroadcastShelf);
    }
    if header.slot == BROADCAST_SLOT {
        return Err(DropReason::BroadcastSlot);
    }
    if version_flags & FLAG_ERROR != 0 {
        return Ok(Response::Error {
            header,
            code: ErrorCode::from_wire(head[15]),
        });
    }
    match head[19] {
        CMD_ATA => parse_ata(header, frame.len(), rest).map(Response::Ata),
        CMD_CONFIG => parse_config(header, rest).map(Response::Config),
        _ => Err(DropReason::UnsupportedCommand),
    }
}

/// Parses what follows the AoE header of an ATA response.
fn parse_ata(header: Header, frame_len: usize, rest: &[u8]) -> Result<AtaReply<'_>, DropReason> {
    let (arg, data) = rest
        .split_first_chunk::<ATA_ARG_LEN>()
        .ok_or(DropReason::TruncatedAta)?;
    // A reply without data is padded to the Ethernet minimum: vblade sends 60 bytes.
    let data = if frame_len <= ETH_MIN_FRAME_LEN {
        &[]
    } else if data.len() % SECTOR_SIZE != 0 {
        return Err(DropReason::PartialSector);
    } else {
        data
    };
    let mut lba = [0; 8];
    lba[0..6].copy_from_slice(&arg[4..10]);
    Ok(AtaReply {
        header,
        aflags: arg[0],
        error: arg[1],
        sector_count: arg[2],
        status: arg[3],
        lba: u64::from_le_bytes(lba),
        data,
    })
}

/// Parses what follows the AoE header of a config response.
fn parse_config(header: Header, rest: &[u8]) -> Result<ConfigReply<'_>, DropReason> {
    let (arg, tail) = rest
        .split_first_chunk::<CONFIG_ARG_LEN>()
        .ok_or(DropReason::TruncatedConfig)?;
    let length = usize::from(u16::from_be_bytes([arg[6], arg[7]]));
    if length > CONFIG_STRING_MAX {
        return Err(DropReason::BadConfigLength);
    }
    let config = tail.get(..length).ok_or(DropReason::BadConfigLength)?;
    Ok(ConfigReply {
        header,
        buffer_count: u16::from_be_bytes([arg[0], arg[1]]),
        firmware_version: u16::from_be_bytes([arg[2], arg[3]]),
        sector_count: arg[4],
        ccmd: arg[5] & 0x0f,
        config,
    })
}

/// Checks an ATA reply against the request it answers, as `ktiocomplete` does (aoecmd.c:1110-1160).
///
/// An error status or a short read fails the request (`DropReason::fails_request`). aoe.ko
/// ignores extra bytes; here more data than asked for, or any data in the reply to a write or a
/// flush, drops the frame, so a confused target cannot complete a request with the wrong bytes.
/// An IDENTIFY reply needs exactly 512 bytes, where aoe.ko takes at least 512 and ignores a
/// shorter one.
pub fn check_ata_reply(reply: &AtaReply<'_>, expected: &SentAta) -> Result<(), DropReason> {
    if reply.status & ATA_STATUS_FAILED != 0 {
        return Err(DropReason::AtaError);
    }
    let needed = expected.reply_data_len();
    if reply.data.len() < needed {
        Err(DropReason::ShortData)
    } else if reply.data.len() > needed {
        Err(DropReason::ExcessData)
    } else {
        Ok(())
    }
}
