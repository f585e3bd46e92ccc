// SPDX-License-Identifier: GPL-2.0

//! Frames a target would send, built by hand the way vblade lays them out.

#![allow(dead_code)]

/// Our MAC address.
pub const HOST: [u8; 6] = [0x52, 0x54, 0x00, 0x12, 0x34, 0x56];
/// The target's MAC address.
pub const TARGET: [u8; 6] = [0x52, 0x54, 0x00, 0xab, 0xcd, 0xef];

/// An AoE response header: version 1 with the R flag.
pub fn response_header(shelf: u16, slot: u8, command: u8, tag: u32) -> Vec<u8> {
    let mut frame = Vec::new();
    frame.extend_from_slice(&HOST);
    frame.extend_from_slice(&TARGET);
    frame.extend_from_slice(&0x88a2u16.to_be_bytes());
    frame.push(0x18);
    frame.push(0);
    frame.extend_from_slice(&shelf.to_be_bytes());
    frame.push(slot);
    frame.push(command);
    frame.extend_from_slice(&tag.to_be_bytes());
    frame
}

/// Pads a frame to the Ethernet minimum of 60 bytes, as the sender's NIC does.
pub fn pad(mut frame: Vec<u8>) -> Vec<u8> {
    if frame.len() < 60 {
        frame.resize(60, 0);
    }
    frame
}

/// An ATA response with `status` and `data`, padded like vblade's replies.
pub fn ata_reply(tag: u32, status: u8, data: &[u8]) -> Vec<u8> {
    let mut frame = response_header(1, 10, 0, tag);
    frame.extend_from_slice(&[0x40, 0, 0, status, 1, 2, 3, 4, 5, 6, 0, 0]);
    frame.extend_from_slice(data);
    pad(frame)
}

/// A config response with `bufcnt`, `scnt` and a config string.
pub fn config_reply(bufcnt: u16, scnt: u8, config: &[u8]) -> Vec<u8> {
    let mut frame = response_header(1, 10, 1, 0);
    frame.extend_from_slice(&bufcnt.to_be_bytes());
    frame.extend_from_slice(&0x4019u16.to_be_bytes());
    frame.push(scnt);
    frame.push(0x10);
    frame.extend_from_slice(&u16::try_from(config.len()).unwrap().to_be_bytes());
    frame.extend_from_slice(config);
    pad(frame)
}

/// Stores an ATA string the way vblade's `setfld` does: first character in the high byte.
fn set_string(id: &mut [u8; 512], word: usize, len: usize, text: &str) {
    let mut chars = text.bytes().chain(std::iter::repeat(b' ')).take(len);
    for pair in id[word * 2..word * 2 + len].chunks_exact_mut(2) {
        pair[1] = chars.next().unwrap();
        pair[0] = chars.next().unwrap();
    }
}

/// IDENTIFY data as vblade v25 answers for a disk of `sectors` (vblade ata.c:84-101, 143-156).
pub fn vblade_identify(sectors: u64, lba48: bool) -> [u8; 512] {
    let mut id = [0u8; 512];
    let mut set =
        |word: usize, value: u16| id[word * 2..word * 2 + 2].copy_from_slice(&value.to_le_bytes());
    set(47, 0x8000);
    set(49, 0x0200);
    set(50, 0x4000);
    set(83, if lba48 { 0x5400 } else { 0x5000 });
    set(84, 0x4000);
    set(86, if lba48 { 0x1400 } else { 0x1000 });
    set(87, 0x4000);
    set(93, 0x400b);
    let lba28 = sectors.min(0x0fff_ffff);
    id[120..124].copy_from_slice(&u32::try_from(lba28).unwrap().to_le_bytes());
    id[200..206].copy_from_slice(&sectors.to_le_bytes()[..6]);
    set_string(&mut id, 27, 40, "Coraid EtherDrive vblade");
    set_string(&mut id, 23, 8, "V25");
    set_string(&mut id, 10, 20, "1.10:testhost");
    id
}

/// A small xorshift generator, so that the random tests need no crate.
pub struct XorShift(pub u64);

impl XorShift {
    /// The next 64 random bits.
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// A number below `bound`.
    pub fn below(&mut self, bound: usize) -> usize {
        usize::try_from(self.next() % u64::try_from(bound).unwrap()).unwrap()
    }
}
