// SPDX-License-Identifier: GPL-2.0

//! KUnit tests of the wrappers over the C shims: what only the kernel can run (built into the
//! modules only with Kbuild's `RAOE_RZRAM_KUNIT=1`; `make test` runs them in the `kunit` suite).

use kernel::prelude::*;

#[kunit_tests(rzram_sys)]
mod tests {
    use crate::sys::{
        compress::{
            Algorithm,
            CompParams,
            Compressor, //
        },
        crc32::crc32c_of,
        wait_bit::{
            BitLockClass,
            BitLocked,
            BitValue, //
        },
        zsmalloc::ZsTable,
    };
    use kernel::{
        page::PAGE_SIZE,
        prelude::*, //
    };

    /// A page that compresses but not to nothing: words counting up, some text.
    fn sample_page() -> Result<KVec<u8>> {
        let mut page = KVec::with_capacity(PAGE_SIZE, GFP_KERNEL)?;
        for i in 0..PAGE_SIZE {
            let byte = if i % 64 < 16 {
                b"raoe-rzram kunit"[i % 16]
            } else {
                (i / 7) as u8
            };
            page.push(byte, GFP_KERNEL)?;
        }
        Ok(page)
    }

    #[test]
    fn crc32c_check_value() {
        // The CRC-32C check value of "123456789" (RFC 3720, B.4) is 0xe3069283 after the final
        // inversion `crc32c_of` leaves to its callers.
        assert_eq!(!crc32c_of(b"123456789"), 0xe306_9283);
    }

    /// Compresses `page` with `algorithm` at `level` and back, and returns the compressed
    /// length.
    fn round_trip(page: &[u8], algorithm: Algorithm, level: Option<i32>) -> Result<usize> {
        let mut compressor = Compressor::new(&CompParams::new(algorithm, level, None)?)?;
        let mut compressed = KVec::from_elem(0u8, 2 * PAGE_SIZE, GFP_KERNEL)?;
        let len = compressor.compress(page, &mut compressed)?;
        assert!(len > 0 && len < PAGE_SIZE);
        let mut out = KVec::from_elem(0u8, PAGE_SIZE, GFP_KERNEL)?;
        compressor.decompress(&compressed[..len], &mut out)?;
        assert!(out[..] == page[..]);
        // Fewer bytes than the page decompresses to are an error, not a short page.
        assert!(compressor
            .decompress(&compressed[..len], &mut out[..PAGE_SIZE / 2])
            .is_err());
        Ok(len)
    }

    #[test]
    fn every_algorithm_round_trips_a_page() -> Result {
        let page = sample_page()?;
        for algorithm in Algorithm::ALL {
            round_trip(&page, algorithm, None)?;
        }
        Ok(())
    }

    #[test]
    fn levels_are_checked_as_zram_checks_them() -> Result {
        let page = sample_page()?;
        // zstd: its own range (1 to 22 here; negative levels are its fast modes).
        round_trip(&page, Algorithm::Zstd, Some(1))?;
        round_trip(&page, Algorithm::Zstd, Some(22))?;
        assert!(CompParams::new(Algorithm::Zstd, Some(23), None).err() == Some(EINVAL));
        // lz4: the level is the acceleration, at least 1.
        round_trip(&page, Algorithm::Lz4, Some(9))?;
        assert!(CompParams::new(Algorithm::Lz4, Some(0), None).err() == Some(EINVAL));
        // lzo has no levels: any is ignored.
        round_trip(&page, Algorithm::Lzo, Some(-7))?;
        Ok(())
    }

    #[test]
    fn compress_refuses_a_short_destination() -> Result {
        let page = sample_page()?;
        let mut compressor = Compressor::new(&CompParams::new(Algorithm::Lz4, None, None)?)?;
        let mut short = KVec::from_elem(0u8, PAGE_SIZE / 2, GFP_KERNEL)?;
        assert!(compressor.compress(&page, &mut short).is_err());
        Ok(())
    }

    #[test]
    fn table_slot_holds_reads_and_frees_an_object() -> Result {
        let page = sample_page()?;
        let table = ZsTable::<u32>::new(c"rzram-kunit", 4)?;
        let huge = table.pool().huge_class_size();
        assert!(huge > 0 && huge <= PAGE_SIZE);
        let mut object = table.pool().alloc(300)?;
        object.write(&page[..300])?;
        let slot = table.lock(2)?;
        slot.replace(Some(object));
        let mut copy = KVec::from_elem(0u8, PAGE_SIZE, GFP_KERNEL)?;
        assert_eq!(
            slot.read(300, &mut copy, |data| data == &page[..300]),
            Some(true)
        );
        slot.replace(None);
        assert_eq!(slot.read(300, &mut copy, |_| ()), None);
        drop(slot);
        assert!(table.lock(4).err() == Some(EINVAL));
        Ok(())
    }

    #[test]
    fn bit_lock_excludes_and_keeps_the_lock_bit() -> Result {
        let class = BitLockClass::new()?;
        let word = BitLocked::new();
        let guard = word.lock(&class);
        // A failed try leaves the lock with its holder: the next try fails too.
        assert!(word.try_lock(&class).is_none());
        assert!(word.try_lock(&class).is_none());
        // A value with the lock bit set cannot even be made.
        assert!(BitValue::new(1).is_none());
        assert_eq!(guard.set(BitValue::new(6).ok_or(EINVAL)?).get(), 0);
        drop(guard);
        let guard = word.try_lock(&class).ok_or(EBUSY)?;
        assert_eq!(guard.get(), 6);
        Ok(())
    }
}
