// SPDX-License-Identifier: GPL-2.0
//! The reference C LZ4 (lz4-sys builds upstream lz4.c, from which the kernel's lib/lz4
//! derives), one page at a time, as zram's lz4 backend calls it: the default acceleration,
//! into a buffer the worst case fits, and a bounded decompression that must fill the page.

use std::ffi::{c_char, c_int};

use lz4_sys::{LZ4_compressBound, LZ4_compress_default, LZ4_decompress_safe};

/// The bytes compression of `len` bytes may need in the worst case.
pub fn worst_case(len: usize) -> usize {
    let len = c_int::try_from(len).unwrap_or(c_int::MAX);
    // SAFETY: A pure computation on an integer.
    let bound = unsafe { LZ4_compressBound(len) };
    usize::try_from(bound).unwrap_or(0)
}

/// Compresses `src` into `dst`; returns the compressed length, or `None` if `dst` is too
/// small.
pub fn compress(src: &[u8], dst: &mut [u8]) -> Option<usize> {
    let src_len = c_int::try_from(src.len()).ok()?;
    let dst_cap = c_int::try_from(dst.len()).ok()?;
    // SAFETY: `src` is readable for `src_len` bytes and `dst` writable for `dst_cap`; LZ4
    // writes no further than `dst_cap` and keeps no pointer after the call.
    let len = unsafe {
        LZ4_compress_default(
            src.as_ptr().cast::<c_char>(),
            dst.as_mut_ptr().cast::<c_char>(),
            src_len,
            dst_cap,
        )
    };
    usize::try_from(len).ok().filter(|&len| len > 0)
}

/// Decompresses `src` into `dst`; fails unless exactly `dst.len()` bytes come out.
pub fn decompress(src: &[u8], dst: &mut [u8]) -> Result<(), ()> {
    let src_len = c_int::try_from(src.len()).map_err(|_| ())?;
    let dst_len = c_int::try_from(dst.len()).map_err(|_| ())?;
    // SAFETY: `src` is readable for `src_len` bytes and `dst` writable for `dst_len`; the safe
    // decoder reads and writes within those bounds, even on malformed input.
    let len = unsafe {
        LZ4_decompress_safe(
            src.as_ptr().cast::<c_char>(),
            dst.as_mut_ptr().cast::<c_char>(),
            src_len,
            dst_len,
        )
    };
    if len == dst_len {
        Ok(())
    } else {
        Err(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tool_common::rng::Xorshift64;

    fn roundtrip(page: &[u8]) -> usize {
        let mut packed = vec![0; worst_case(page.len())];
        let len = compress(page, &mut packed).expect("the worst case fits");
        let mut back = vec![0xA5; page.len()];
        decompress(&packed[..len], &mut back).expect("a page compressed here decompresses");
        assert_eq!(back, page);
        len
    }

    #[test]
    fn pages_roundtrip() {
        let zeros = vec![0; 4096];
        let text: Vec<u8> = b"swap the page out, read it back; "
            .iter()
            .copied()
            .cycle()
            .take(4096)
            .collect();
        let mut rng = Xorshift64::new(7);
        let random: Vec<u8> = (0..4096).map(|_| rng.next_u64() as u8).collect();
        assert!(roundtrip(&zeros) < 64);
        assert!(roundtrip(&text) < 256);
        // Incompressible data grows a little, within the worst case.
        let len = roundtrip(&random);
        assert!(len > 4096 && len <= worst_case(4096), "{len}");
    }

    #[test]
    fn refuses_what_does_not_fit() {
        let mut rng = Xorshift64::new(8);
        let random: Vec<u8> = (0..4096).map(|_| rng.next_u64() as u8).collect();
        assert_eq!(compress(&random, &mut [0; 1024]), None);
        let mut packed = vec![0; worst_case(4096)];
        let len = compress(&random, &mut packed).unwrap();
        // A page that comes out short, or a corrupted stream, is an error.
        assert_eq!(decompress(&packed[..len], &mut [0; 4097]), Err(()));
        assert_eq!(decompress(&packed[..len / 2], &mut [0; 4096]), Err(()));
    }
}
