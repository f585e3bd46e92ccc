// SPDX-License-Identifier: GPL-2.0
//! Page contents: a deterministic function of (seed, process, page index, generation).
//! A 32-byte header names the page; the body kind cycles with the page index so the
//! compressing swap device sees a realistic mix of easy and hard pages (about 4:1 overall
//! with lz4, like real anonymous memory).

use std::fmt;

use tool_common::rng::{splitmix64, Xorshift64};

pub const PAGE_SIZE: usize = 4096;
const HEADER_LEN: usize = 32;
const MAGIC: u64 = u64::from_le_bytes(*b"SWAPPRES");

/// What fills a page after its header.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum BodyKind {
    /// Mostly zeros; only the header makes the page non-uniform.
    Zeros,
    /// English-like text, which compresses about 3:1.
    Text,
    /// Incompressible.
    Random,
    /// One random 64-byte pattern, repeated.
    Pattern,
}

/// The kinds in the order they cycle through page indices: one page in eight incompressible.
const KIND_CYCLE: [BodyKind; 8] = [
    BodyKind::Zeros,
    BodyKind::Text,
    BodyKind::Pattern,
    BodyKind::Zeros,
    BodyKind::Random,
    BodyKind::Zeros,
    BodyKind::Text,
    BodyKind::Pattern,
];

/// The body kind of page `page`.
pub fn kind_of(page: u64) -> BodyKind {
    KIND_CYCLE[(page % KIND_CYCLE.len() as u64) as usize]
}
/// Mismatches described in full per verifier; the rest are only counted.
const MISMATCHES_DESCRIBED: u64 = 4;
const WORDS: [&str; 32] = [
    "the", "of", "and", "to", "in", "is", "was", "that", "for", "it", "with", "as", "his", "on",
    "be", "at", "by", "had", "this", "from", "memory", "page", "swap", "kernel", "device", "block",
    "write", "read", "data", "value", "system", "process",
];

/// The header as stored at the start of every page.
struct Header {
    magic: u64,
    proc: u32,
    page: u64,
    generation: u32,
    check: u64,
}

impl Header {
    fn expected(seed: u64, proc: u32, page: u64, generation: u32) -> Self {
        let identity =
            splitmix64(seed ^ splitmix64((u64::from(proc) << 32) | u64::from(generation)));
        Header {
            magic: MAGIC,
            proc,
            page,
            generation,
            check: splitmix64(identity ^ page),
        }
    }

    fn decode(bytes: &[u8]) -> Self {
        let u64_at = |at: usize| u64::from_le_bytes(bytes[at..at + 8].try_into().unwrap());
        let u32_at = |at: usize| u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap());
        Header {
            magic: u64_at(0),
            proc: u32_at(8),
            page: u64_at(12),
            generation: u32_at(20),
            check: u64_at(24),
        }
    }

    fn encode(&self, bytes: &mut [u8]) {
        bytes[0..8].copy_from_slice(&self.magic.to_le_bytes());
        bytes[8..12].copy_from_slice(&self.proc.to_le_bytes());
        bytes[12..20].copy_from_slice(&self.page.to_le_bytes());
        bytes[20..24].copy_from_slice(&self.generation.to_le_bytes());
        bytes[24..32].copy_from_slice(&self.check.to_le_bytes());
    }
}

impl fmt::Display for Header {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(
            f,
            "[magic={:#018x} proc={} page={} gen={} check={:#018x}]",
            self.magic, self.proc, self.page, self.generation, self.check
        )
    }
}

/// Generates the pages of one process.
pub struct PageContent {
    seed: u64,
    proc: u32,
}

impl PageContent {
    pub fn new(seed: u64, proc: u32) -> Self {
        PageContent { seed, proc }
    }

    /// Writes the content of `page` at `generation` into `bytes` (one page long).
    pub fn fill(&self, page: u64, generation: u32, bytes: &mut [u8]) {
        let header = Header::expected(self.seed, self.proc, page, generation);
        header.encode(&mut bytes[..HEADER_LEN]);
        let mut rng = Xorshift64::new(header.check);
        let body = &mut bytes[HEADER_LEN..];
        match kind_of(page) {
            BodyKind::Zeros => body.fill(0),
            BodyKind::Text => {
                let mut slots = body.iter_mut();
                'text: loop {
                    let word = WORDS[rng.below(WORDS.len())];
                    for &byte in word.as_bytes().iter().chain(b" ") {
                        let Some(slot) = slots.next() else {
                            break 'text;
                        };
                        *slot = byte;
                    }
                }
            }
            BodyKind::Random => rng.fill(body),
            BodyKind::Pattern => {
                let mut unit = [0u8; 64];
                rng.fill(&mut unit);
                for (slot, &byte) in body.iter_mut().zip(unit.iter().cycle()) {
                    *slot = byte;
                }
            }
        }
    }
}

/// Compares pages with their expected content and keeps count.
pub struct Verifier<'c> {
    content: &'c PageContent,
    expected: Vec<u8>,
    pub verified: u64,
    pub mismatches: u64,
}

impl<'c> Verifier<'c> {
    pub fn new(content: &'c PageContent) -> Self {
        Verifier {
            content,
            expected: vec![0; PAGE_SIZE],
            verified: 0,
            mismatches: 0,
        }
    }

    pub fn check(&mut self, page: u64, generation: u32, actual: &[u8]) {
        self.content.fill(page, generation, &mut self.expected);
        self.verified += 1;
        if actual == self.expected.as_slice() {
            return;
        }
        self.mismatches += 1;
        if self.mismatches > MISMATCHES_DESCRIBED {
            return;
        }
        let differing = || {
            self.expected
                .iter()
                .zip(actual)
                .enumerate()
                .filter(|(_, (want, have))| want != have)
        };
        let first_bad = differing().next().map_or(0, |(at, _)| at);
        println!(
            "# MISMATCH proc={} page={page} first_bad_byte={first_bad} bad_bytes={} \
             expected={} found={}",
            self.content.proc,
            differing().count(),
            Header::decode(&self.expected),
            Header::decode(actual)
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(content: &PageContent, index: u64, generation: u32) -> Vec<u8> {
        let mut bytes = vec![0; PAGE_SIZE];
        content.fill(index, generation, &mut bytes);
        bytes
    }

    fn body(index: u64) -> Vec<u8> {
        page(&PageContent::new(1, 0), index, 1).split_off(HEADER_LEN)
    }

    /// Shannon entropy in bits per byte: 8 for random bytes, 0 for a single value.
    fn entropy(bytes: &[u8]) -> f64 {
        let mut counts = [0usize; 256];
        for &byte in bytes {
            counts[usize::from(byte)] += 1;
        }
        let len = bytes.len() as f64;
        counts
            .iter()
            .filter(|&&count| count > 0)
            .map(|&count| {
                let p = count as f64 / len;
                -p * p.log2()
            })
            .sum()
    }

    #[test]
    fn content_is_deterministic_per_seed_proc_page_and_generation() {
        let content = PageContent::new(1, 0);
        for index in 0..8 {
            let bytes = page(&content, index, 1);
            assert_eq!(bytes, page(&PageContent::new(1, 0), index, 1));
            let others = [
                ("seed", page(&PageContent::new(2, 0), index, 1)),
                ("proc", page(&PageContent::new(1, 1), index, 1)),
                (
                    "page of the same kind",
                    page(&content, index + KIND_CYCLE.len() as u64, 1),
                ),
                ("generation", page(&content, index, 2)),
            ];
            for (what, other) in others {
                assert_ne!(bytes[..HEADER_LEN], other[..HEADER_LEN], "{what} {index}");
                // Zero bodies are all alike; every other body depends on the header.
                if kind_of(index) != BodyKind::Zeros {
                    assert_ne!(bytes[HEADER_LEN..], other[HEADER_LEN..], "{what} {index}");
                }
            }
        }
    }

    #[test]
    fn header_names_the_page() {
        let bytes = page(&PageContent::new(5, 3), 42, 7);
        let header = Header::decode(&bytes);
        assert_eq!(
            (header.magic, header.proc, header.page, header.generation),
            (MAGIC, 3, 42, 7)
        );
        let mut encoded = [0; HEADER_LEN];
        header.encode(&mut encoded);
        assert_eq!(encoded[..], bytes[..HEADER_LEN]);
    }

    #[test]
    fn verifier_accepts_the_expected_pages() {
        let content = PageContent::new(1, 2);
        let mut verifier = Verifier::new(&content);
        for index in 0..8 {
            verifier.check(index, 3, &page(&content, index, 3));
        }
        assert_eq!((verifier.verified, verifier.mismatches), (8, 0));
    }

    #[test]
    fn verifier_rejects_wrong_pages() {
        let content = PageContent::new(1, 2);
        let mut verifier = Verifier::new(&content);
        for index in 8..12 {
            let wrong = [
                ("older generation", page(&content, index, 2)),
                ("other page", page(&content, index + 1, 3)),
                (
                    "other page of the same kind",
                    page(&content, index + KIND_CYCLE.len() as u64, 3),
                ),
                ("other proc", page(&PageContent::new(1, 3), index, 3)),
                ("zero page", vec![0; PAGE_SIZE]),
            ];
            let flipped = [20, HEADER_LEN, PAGE_SIZE - 1].map(|at| {
                let mut bytes = page(&content, index, 3);
                bytes[at] ^= 1;
                ("flipped byte", bytes)
            });
            for (what, bytes) in wrong.into_iter().chain(flipped) {
                let mismatches = verifier.mismatches;
                verifier.check(index, 3, &bytes);
                assert_eq!(verifier.mismatches, mismatches + 1, "{what} {index}");
            }
        }
    }

    /// Page indices of `kind` among the first thousand or so.
    fn pages_of(kind: BodyKind) -> impl Iterator<Item = u64> {
        (0..1008).filter(move |&index| kind_of(index) == kind)
    }

    #[test]
    fn one_page_in_eight_is_incompressible() {
        assert_eq!(pages_of(BodyKind::Random).count(), 1008 / 8);
    }

    #[test]
    fn zeros_body_is_zeros() {
        for index in pages_of(BodyKind::Zeros) {
            assert!(body(index).iter().all(|&byte| byte == 0), "page {index}");
        }
    }

    #[test]
    fn text_body_is_text() {
        for index in pages_of(BodyKind::Text) {
            let body = body(index);
            assert!(
                body.iter()
                    .all(|&byte| byte == b' ' || byte.is_ascii_lowercase()),
                "page {index}"
            );
            let words = body.split(|&byte| byte == b' ').count();
            assert!(words > PAGE_SIZE / 10, "page {index}: {words} words");
            let bits = entropy(&body);
            assert!((3.0..5.0).contains(&bits), "page {index}: {bits} bits/byte");
        }
    }

    #[test]
    fn random_body_is_high_entropy() {
        for index in pages_of(BodyKind::Random) {
            let bits = entropy(&body(index));
            assert!(bits > 7.8, "page {index}: {bits} bits/byte");
        }
    }

    #[test]
    fn pattern_body_repeats_a_random_64_bytes() {
        for index in pages_of(BodyKind::Pattern) {
            let body = body(index);
            assert!(
                (64..body.len()).all(|at| body[at] == body[at - 64]),
                "page {index}"
            );
            let bits = entropy(&body[..64]);
            assert!(bits > 5.0, "page {index}: unit of {bits} bits/byte");
        }
    }
}
