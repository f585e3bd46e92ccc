// SPDX-License-Identifier: GPL-2.0

//! Pages filled with one repeated machine word, which are stored as that word alone.
//!
//! Pure logic, free of kernel types.

/// The bytes of the fill word.
pub const WORD: usize = core::mem::size_of::<u64>();

/// The word `page` repeats, if it is one word repeated (zram's `page_same_filled`).
pub fn same_filled(page: &[u8]) -> Option<u64> {
    let mut words = page.chunks_exact(WORD);
    if !words.remainder().is_empty() {
        return None;
    }
    let first = word_at(words.next()?);
    // The last word first: most pages that differ, differ there already.
    if word_at(page.rchunks_exact(WORD).next()?) != first {
        return None;
    }
    words.all(|word| word_at(word) == first).then_some(first)
}

/// Fills `page` with the repeated `word`.
pub fn fill(page: &mut [u8], word: u64) {
    let bytes = word.to_ne_bytes();
    // Whole words first: their copies compile to single stores, not a memcpy call each.
    let mut words = page.chunks_exact_mut(WORD);
    for chunk in &mut words {
        copy(chunk, &bytes);
    }
    copy(words.into_remainder(), &bytes);
}

/// The native-endian word at the start of `bytes` (zero-padded if shorter).
fn word_at(bytes: &[u8]) -> u64 {
    let mut word = [0; WORD];
    copy(&mut word, bytes);
    u64::from_ne_bytes(word)
}

/// Copies as many bytes as both hold from `src` to `dst`. (Unlike `copy_from_slice`, it has
/// no panic path, whose symbol objtool 7.3 does not know as noreturn for rustc 1.96.)
pub fn copy(dst: &mut [u8], src: &[u8]) {
    for (d, s) in dst.iter_mut().zip(src) {
        *d = *s;
    }
}
