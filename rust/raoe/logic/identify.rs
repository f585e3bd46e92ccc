// SPDX-License-Identifier: GPL-2.0

//! The ATA IDENTIFY DEVICE data and the payload size of data frames.
//!
//! `Identity::parse` does what `ataid_complete` does (aoecmd.c:929-984); `payload_bytes` is
//! the payload computation of `aoecmd_cfg_rsp` (aoecmd.c:1588-1594).

use super::wire::{
    ATA_HEADER_LEN,
    SECTOR_SIZE, //
};

/// The length of the IDENTIFY DEVICE data.
pub const IDENTIFY_LEN: usize = 512;
/// The payload aoe.ko falls back to: two sectors (aoe.h:90).
pub const DEFAULT_PAYLOAD_BYTES: u32 = 1024;

/// The word of supported command sets; bit 10 is LBA48.
const WORD_COMMANDS_SUPPORTED: usize = 83;
/// The word of enabled command sets; bit 10 is LBA48.
const WORD_COMMANDS_ENABLED: usize = 86;
/// The bit of words 83 and 86 that says LBA48.
const LBA48_BIT: u16 = 1 << 10;
/// The bit of word 83 that says FLUSH CACHE EXT is supported (ata_id_has_flush_ext).
const FLUSH_EXT_BIT: u16 = 1 << 13;
/// Word 83 is valid when its bits 15:14 are 01.
const WORD_83_VALID_MASK: u16 = 0xc000;
/// The value of bits 15:14 of a valid word 83.
const WORD_83_VALID: u16 = 0x4000;
/// The first of the two words of the LBA28 capacity.
const WORD_LBA28_CAPACITY: usize = 60;
/// The first of the four words of the LBA48 capacity.
const WORD_LBA48_CAPACITY: usize = 100;
/// The words of the obsolete geometry: cylinders, heads, sectors per track.
const WORD_GEOMETRY: usize = 54;
/// The first word of the serial number, 20 bytes.
const WORD_SERIAL: usize = 10;
/// The first word of the firmware revision, 8 bytes.
const WORD_FIRMWARE: usize = 23;
/// The first word of the model number, 40 bytes.
const WORD_MODEL: usize = 27;
/// The fake geometry of LBA48 devices, as in ide-disk (aoecmd.c:948-952).
const LBA48_HEADS: u8 = 255;
/// The fake sectors per track of LBA48 devices.
const LBA48_SECTORS: u8 = 63;

/// An ATA string field, byte-swapped to reading order with its trailing padding removed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IdString<const N: usize> {
    /// The characters, then padding.
    bytes: [u8; N],
    /// The number of characters kept.
    len: usize,
}

impl<const N: usize> IdString<N> {
    /// Reads `N / 2` words at `word` in `id`, swapping the bytes of each word.
    fn read(id: &[u8; IDENTIFY_LEN], word: usize) -> Self {
        let mut bytes = [0; N];
        let field = id.get(word * 2..).unwrap_or_default();
        // ATA strings hold the first character of each pair in the high byte of the word.
        for pair in field.chunks_exact(2).zip(bytes.chunks_exact_mut(2)) {
            if let ([low, high], [first, second]) = pair {
                *first = *high;
                *second = *low;
            }
        }
        let len = bytes
            .iter()
            .rposition(|&byte| byte != b' ' && byte != 0)
            .map_or(0, |last| last + 1);
        IdString { bytes, len }
    }

    /// The characters, without the trailing spaces and NULs.
    pub fn as_bytes(&self) -> &[u8] {
        self.bytes.get(..self.len).unwrap_or_default()
    }
}

/// The disk geometry HDIO_GETGEO reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Geometry {
    /// The number of cylinders, at most `u16::MAX`.
    pub cylinders: u16,
    /// The number of heads.
    pub heads: u8,
    /// The number of sectors per track.
    pub sectors: u8,
}

/// What the driver keeps of a device's IDENTIFY DEVICE data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identity {
    /// The data as HDIO_GET_IDENTITY returns it: the strings byte-swapped (aoecmd.c:965-968).
    hdio: [u8; IDENTIFY_LEN],
    /// Whether the device takes LBA48 commands.
    pub lba48: bool,
    /// Whether the device reports FLUSH CACHE EXT; else flushes use FLUSH CACHE.
    pub flush_ext: bool,
    /// The capacity in sectors.
    pub sectors: u64,
    /// The geometry.
    pub geometry: Geometry,
    /// The model number, words 27-46.
    pub model: IdString<40>,
    /// The serial number, words 10-19.
    pub serial: IdString<20>,
    /// The firmware revision, words 23-26.
    pub firmware: IdString<8>,
}

/// Reads the little-endian word at index `word`, or 0 past the end.
fn word(id: &[u8; IDENTIFY_LEN], word: usize) -> u16 {
    let mut bytes = [0; 2];
    if let Some(field) = id.get(word * 2..word * 2 + 2) {
        bytes.copy_from_slice(field);
    }
    u16::from_le_bytes(bytes)
}

/// Reads `N` little-endian words at index `first` as one number, lowest word first.
fn words<const N: usize>(id: &[u8; IDENTIFY_LEN], first: usize) -> u64 {
    (0..N).rev().fold(0, |value, index| {
        (value << 16) | u64::from(word(id, first + index))
    })
}

impl Identity {
    /// Parses the data of an IDENTIFY reply; `None` if it is shorter than 512 bytes.
    ///
    /// The capacity comes from words 100-103 when word 83 or 86 has bit 10 (LBA48), else from
    /// words 60-61. Unlike aoe.ko, which keeps the low bits, geometry values too large for
    /// their fields saturate, and the trailing NULs of strings are trimmed like spaces.
    pub fn parse(data: &[u8]) -> Option<Self> {
        let (id, _) = data.split_first_chunk::<IDENTIFY_LEN>()?;
        let lba48 =
            (word(id, WORD_COMMANDS_SUPPORTED) | word(id, WORD_COMMANDS_ENABLED)) & LBA48_BIT != 0;
        let (sectors, geometry) = if lba48 {
            let sectors = words::<4>(id, WORD_LBA48_CAPACITY);
            let cylinders = sectors / (u64::from(LBA48_HEADS) * u64::from(LBA48_SECTORS));
            let geometry = Geometry {
                cylinders: u16::try_from(cylinders).unwrap_or(u16::MAX),
                heads: LBA48_HEADS,
                sectors: LBA48_SECTORS,
            };
            (sectors, geometry)
        } else {
            let geometry = Geometry {
                cylinders: word(id, WORD_GEOMETRY),
                heads: u8::try_from(word(id, WORD_GEOMETRY + 1)).unwrap_or(u8::MAX),
                sectors: u8::try_from(word(id, WORD_GEOMETRY + 2)).unwrap_or(u8::MAX),
            };
            (words::<2>(id, WORD_LBA28_CAPACITY), geometry)
        };
        let supported = word(id, WORD_COMMANDS_SUPPORTED);
        let flush_ext =
            supported & WORD_83_VALID_MASK == WORD_83_VALID && supported & FLUSH_EXT_BIT != 0;
        let serial = IdString::<20>::read(id, WORD_SERIAL);
        let firmware = IdString::<8>::read(id, WORD_FIRMWARE);
        let model = IdString::<40>::read(id, WORD_MODEL);
        let mut hdio = *id;
        for (field, word) in [
            (&serial.bytes[..], WORD_SERIAL),
            (&firmware.bytes[..], WORD_FIRMWARE),
            (&model.bytes[..], WORD_MODEL),
        ] {
            if let Some(out) = hdio.get_mut(word * 2..word * 2 + field.len()) {
                out.copy_from_slice(field);
            }
        }
        Some(Identity {
            hdio,
            lba48,
            flush_ext,
            sectors,
            geometry,
            model,
            serial,
            firmware,
        })
    }

    /// The 512 bytes HDIO_GET_IDENTITY copies out, laid out as aoe.ko keeps them.
    pub fn hdio_identity(&self) -> &[u8; IDENTIFY_LEN] {
        &self.hdio
    }
}

/// The data bytes per frame for a target reached over an interface (aoecmd.c:1588-1594).
///
/// It is as many whole sectors as fit in the MTU after the 36 bytes of headers, at most the
/// target's `scnt`; when that is 0, `DEFAULT_PAYLOAD_BYTES`. So `scnt` 0, or an MTU too small
/// for one sector, gives 1024 as in aoe.ko. An MTU below 36 counts as no room, where aoe.ko's
/// `u16` arithmetic wraps.
pub fn payload_bytes(mtu: u32, target_scnt: u8) -> u32 {
    let header = u32::try_from(ATA_HEADER_LEN).unwrap_or(u32::MAX);
    let sector = u32::try_from(SECTOR_SIZE).unwrap_or(u32::MAX);
    let sectors = (mtu.saturating_sub(header) / sector).min(u32::from(target_scnt));
    if sectors == 0 {
        DEFAULT_PAYLOAD_BYTES
    } else {
        sectors * sector
    }
}
