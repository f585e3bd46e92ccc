// SPDX-License-Identifier: GPL-2.0

//! IDENTIFY parsing and the payload size.

mod common;

use common::vblade_identify;
use raoe_logic::identify::*;

#[test]
fn vblade_lba48_identify() {
    let sectors = 0x0001_2345_6789u64;
    let id = vblade_identify(sectors, true);
    let identity = Identity::parse(&id).unwrap();
    assert!(identity.lba48);
    assert_eq!(identity.sectors, sectors);
    assert_eq!(identity.model.as_bytes(), b"Coraid EtherDrive vblade");
    assert_eq!(identity.firmware.as_bytes(), b"V25");
    assert_eq!(identity.serial.as_bytes(), b"1.10:testhost");
    assert_eq!(identity.geometry.heads, 255);
    assert_eq!(identity.geometry.sectors, 63);
    assert_eq!(
        identity.geometry.cylinders,
        u16::MAX,
        "saturated: 4.9M cylinders"
    );
    let small = Identity::parse(&vblade_identify(255 * 63 * 100 + 5, true)).unwrap();
    assert_eq!(small.geometry.cylinders, 100);
}

#[test]
fn flush_ext_follows_word_83() {
    // vblade sets 0x5400: valid, LBA48, no FLUSH CACHE EXT, so flushes use FLUSH CACHE.
    let mut id = vblade_identify(1 << 20, true);
    assert!(!Identity::parse(&id).unwrap().flush_ext);
    id[166..168].copy_from_slice(&0x7400u16.to_le_bytes());
    assert!(Identity::parse(&id).unwrap().flush_ext);
    // A word 83 whose bits 15:14 are not 01 is not valid, whatever its bit 13.
    id[166..168].copy_from_slice(&0xffffu16.to_le_bytes());
    assert!(!Identity::parse(&id).unwrap().flush_ext);
}

#[test]
fn hdio_identity_swaps_only_the_strings() {
    let id = vblade_identify(1 << 20, true);
    let identity = Identity::parse(&id).unwrap();
    let hdio = identity.hdio_identity();
    // The model reads in order, padded with spaces, as aoe.ko's ata_ident_fixstring leaves it.
    assert_eq!(&hdio[54..94], b"Coraid EtherDrive vblade                ");
    assert_eq!(&hdio[46..54], b"V25     ");
    assert_eq!(&hdio[20..40], b"1.10:testhost       ");
    // Everything else is the reply as received.
    for (index, (a, b)) in hdio.iter().zip(id.iter()).enumerate() {
        if !(20..40).contains(&index) && !(46..94).contains(&index) {
            assert_eq!(a, b, "byte {index}");
        }
    }
}

#[test]
fn lba28_identify() {
    let mut id = vblade_identify(1_000_000, false);
    id[108..110].copy_from_slice(&992u16.to_le_bytes());
    id[110..112].copy_from_slice(&16u16.to_le_bytes());
    id[112..114].copy_from_slice(&63u16.to_le_bytes());
    // Words 100-103 are ignored without the LBA48 bit.
    id[200..208].copy_from_slice(&u64::MAX.to_le_bytes());
    let identity = Identity::parse(&id).unwrap();
    assert!(!identity.lba48);
    assert_eq!(identity.sectors, 1_000_000);
    assert_eq!(identity.geometry.cylinders, 992);
    assert_eq!(identity.geometry.heads, 16);
    assert_eq!(identity.geometry.sectors, 63);
    // Bit 10 of either word 83 or word 86 means LBA48.
    id[166..168].copy_from_slice(&0x0400u16.to_le_bytes());
    assert!(Identity::parse(&id).unwrap().lba48);
    id[166..168].copy_from_slice(&0u16.to_le_bytes());
    id[172..174].copy_from_slice(&0x0400u16.to_le_bytes());
    assert_eq!(Identity::parse(&id).unwrap().sectors, u64::MAX);
}

#[test]
fn identify_lengths_and_strings() {
    assert!(Identity::parse(&[0; 511]).is_none());
    assert!(Identity::parse(&[0; 512]).is_some());
    assert!(Identity::parse(&[0; 1024]).is_some());
    let blank = Identity::parse(&[0; 512]).unwrap();
    assert_eq!(blank.model.as_bytes(), b"");
    assert_eq!(blank.sectors, 0);
    let mut id = [b' '; 512];
    id[54] = b'B';
    id[55] = b'A';
    let identity = Identity::parse(&id).unwrap();
    assert_eq!(identity.model.as_bytes(), b"AB");
    assert_eq!(identity.serial.as_bytes(), b"");
    // A full 40-byte model keeps every character.
    let mut id = [0u8; 512];
    id[54..94].fill(b'x');
    assert_eq!(Identity::parse(&id).unwrap().model.as_bytes(), &[b'x'; 40]);
}

#[test]
fn payload() {
    // vblade advertises (mtu - 36) / 512 sectors.
    assert_eq!(payload_bytes(1500, 2), 1024);
    assert_eq!(payload_bytes(9000, 17), 8704);
    assert_eq!(payload_bytes(9000, 17) / 512, 17);
    // The smaller of the MTU and the target wins.
    assert_eq!(payload_bytes(9000, 2), 1024);
    assert_eq!(payload_bytes(1500, 17), 1024);
    assert_eq!(payload_bytes(4000, 255), 3584);
    // scnt 0 or no room for a sector falls back to two sectors, as aoe.ko does.
    assert_eq!(payload_bytes(9000, 0), DEFAULT_PAYLOAD_BYTES);
    assert_eq!(payload_bytes(547, 17), 1024);
    assert_eq!(payload_bytes(548, 17), 512);
    assert_eq!(payload_bytes(0, 17), 1024);
    assert_eq!(payload_bytes(u32::MAX, 255), 255 * 512);
}
