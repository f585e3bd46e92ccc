// SPDX-License-Identifier: GPL-2.0
//! Small deterministic pseudo-random generators for test data and test plans: the same
//! seed gives the same numbers on every machine and in every run. Not for cryptography.

/// Mixes `value` into a well-scrambled 64-bit number: one step of the SplitMix64
/// generator from state `value`. Used to derive independent keys and seeds from
/// related inputs such as (seed, process, index).
pub fn splitmix64(value: u64) -> u64 {
    let mut z = value.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Marsaglia's xorshift64 generator (shifts 13, 7, 17), seeded through [`splitmix64`].
pub struct Xorshift64 {
    state: u64,
}

impl Xorshift64 {
    /// Starts a generator whose sequence is fixed by `seed`; any seed, zero included,
    /// is fine.
    pub fn new(seed: u64) -> Self {
        // Zero is the one state xorshift never leaves.
        Xorshift64 {
            state: splitmix64(seed).max(1),
        }
    }

    /// Returns the next number of the sequence; never 0.
    pub fn next_u64(&mut self) -> u64 {
        self.state ^= self.state << 13;
        self.state ^= self.state >> 7;
        self.state ^= self.state << 17;
        self.state
    }

    /// Returns a number in [0, `bound`), uniform enough for choosing lengths, offsets
    /// and list entries. Panics if `bound` is 0.
    pub fn below(&mut self, bound: usize) -> usize {
        (self.next_u64() % bound as u64) as usize
    }

    /// Fills `buf` with the next numbers of the sequence, little-endian, eight bytes each;
    /// the last number is cut to fit.
    pub fn fill(&mut self, buf: &mut [u8]) {
        for word in buf.chunks_mut(8) {
            word.copy_from_slice(&self.next_u64().to_le_bytes()[..word.len()]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix64_matches_reference() {
        // The first outputs of the reference SplitMix64 generator seeded with 0, whose
        // state advances by the same constant this function adds.
        assert_eq!(splitmix64(0), 0xE220_A839_7B1D_CDAF);
        assert_eq!(splitmix64(0x9E37_79B9_7F4A_7C15), 0x6E78_9E6A_A1B9_65F4);
    }

    #[test]
    fn same_seed_same_sequence() {
        let mut a = Xorshift64::new(42);
        let mut b = Xorshift64::new(42);
        for _ in 0..1000 {
            assert_eq!(a.next_u64(), b.next_u64());
        }
        let mut a = Xorshift64::new(7);
        let mut b = Xorshift64::new(7);
        for bound in 1..1000 {
            assert_eq!(a.below(bound), b.below(bound));
        }
    }

    #[test]
    fn different_seeds_different_sequences() {
        let first: Vec<u64> = (0..16)
            .map(|seed| Xorshift64::new(seed).next_u64())
            .collect();
        for (i, a) in first.iter().enumerate() {
            assert!(first[i + 1..].iter().all(|b| a != b), "seed {i} repeats");
        }
    }

    #[test]
    fn never_zero() {
        for seed in [0, 1, u64::MAX] {
            let mut rng = Xorshift64::new(seed);
            assert!((0..1000).all(|_| rng.next_u64() != 0));
        }
    }

    #[test]
    fn below_stays_in_bounds() {
        let mut rng = Xorshift64::new(1);
        for bound in [1, 2, 3, 7, 512, 4096, 1 << 40, usize::MAX] {
            for _ in 0..1000 {
                assert!(rng.below(bound) < bound, "bound {bound}");
            }
        }
        assert!((0..100).all(|_| rng.below(1) == 0));
    }

    #[test]
    fn fill_takes_eight_bytes_per_number() {
        let mut buf = [0u8; 20];
        Xorshift64::new(5).fill(&mut buf);
        let mut rng = Xorshift64::new(5);
        let words: Vec<u8> = (0..3).flat_map(|_| rng.next_u64().to_le_bytes()).collect();
        assert_eq!(buf[..], words[..20]);
    }

    #[test]
    fn below_reaches_every_value() {
        let mut rng = Xorshift64::new(3);
        let mut seen = [0u32; 10];
        for _ in 0..10_000 {
            seen[rng.below(seen.len())] += 1;
        }
        // About 1000 each; a skew this large would bias the tools' choices.
        assert!(
            seen.iter().all(|&count| (800..1200).contains(&count)),
            "{seen:?}"
        );
    }
}
