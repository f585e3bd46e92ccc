// SPDX-License-Identifier: GPL-2.0
//! Data written to the device: every 512-byte sector starts with a header naming the run,
//! iteration and device offset it was written for, so a sector read back from the wrong
//! place or time identifies itself; the rest is pseudo-random and unique per position.

use tool_common::rng::{splitmix64, Xorshift64};

pub const SECTOR_SIZE: usize = 512;
/// What the read buffer holds before each read, so bytes the read never reached stand out.
pub const READ_FILL: u8 = 0xA5;
const HEADER_LEN: usize = 16;

pub struct Pattern {
    key: u64,
    run_tag: u32,
}

impl Pattern {
    /// `run_id` differs between runs, so data left on the device by an earlier run with the
    /// same seed cannot pass for this run's data when a write is lost.
    pub fn new(seed: u64, run_id: u64) -> Self {
        let key = splitmix64(seed ^ splitmix64(run_id));
        Pattern {
            key,
            run_tag: (splitmix64(key) >> 32) as u32,
        }
    }

    pub fn run_tag(&self) -> u32 {
        self.run_tag
    }

    /// Fills `buf` (a whole number of sectors) with the data of `iteration` for `dev_off`.
    pub fn fill(&self, buf: &mut [u8], iteration: u32, dev_off: u64) {
        let iteration_key = splitmix64(self.key ^ u64::from(iteration));
        let tagged_iteration = (u64::from(self.run_tag) << 32) | u64::from(iteration);
        for (sector_offset, sector) in (dev_off..)
            .step_by(SECTOR_SIZE)
            .zip(buf.chunks_exact_mut(SECTOR_SIZE))
        {
            sector[..8].copy_from_slice(&tagged_iteration.to_le_bytes());
            sector[8..HEADER_LEN].copy_from_slice(&sector_offset.to_le_bytes());
            Xorshift64::new(iteration_key ^ sector_offset).fill(&mut sector[HEADER_LEN..]);
        }
    }

    /// Says where the data in a sector that was read back came from.
    pub fn identify(&self, sector: &[u8]) -> String {
        if sector.iter().all(|&byte| byte == READ_FILL) {
            return format!("read-buffer fill {READ_FILL:#04x} (the read left it untouched)");
        }
        let word = |at: usize| u64::from_le_bytes(sector[at..at + 8].try_into().unwrap());
        let (tagged_iteration, sector_offset) = (word(0), word(8));
        let (run_tag, iteration) = ((tagged_iteration >> 32) as u32, tagged_iteration as u32);
        if run_tag == self.run_tag {
            format!("header of iteration={iteration} dev_off={sector_offset:#x}")
        } else {
            // Possibly an earlier run's sector, which decodes the same way.
            format!(
                "no header of this run (read as one: run_tag={run_tag:#010x} \
                 iteration={iteration} dev_off={sector_offset:#x})"
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Not 2 MiB aligned, like every offset the tool writes at.
    const DEV_OFF: u64 = 0x20_3000;

    fn sector(pattern: &Pattern, iteration: u32, dev_off: u64) -> [u8; SECTOR_SIZE] {
        let mut sector = [0; SECTOR_SIZE];
        pattern.fill(&mut sector, iteration, dev_off);
        sector
    }

    #[test]
    fn sector_identifies_its_iteration_and_offset() {
        let pattern = Pattern::new(1, 99);
        for (iteration, dev_off) in [(0, 0), (7, DEV_OFF), (u32::MAX, 1 << 40)] {
            assert_eq!(
                pattern.identify(&sector(&pattern, iteration, dev_off)),
                format!("header of iteration={iteration} dev_off={dev_off:#x}")
            );
        }
    }

    #[test]
    fn identify_tells_other_runs_and_the_read_fill_apart() {
        let this_run = Pattern::new(1, 1);
        let earlier_run = Pattern::new(1, 2);
        assert_ne!(this_run.run_tag(), earlier_run.run_tag());
        let described = this_run.identify(&sector(&earlier_run, 3, DEV_OFF));
        assert!(
            described.starts_with("no header of this run"),
            "{described}"
        );
        assert!(
            described.contains("iteration=3 dev_off=0x203000"),
            "{described}"
        );
        let described = this_run.identify(&[READ_FILL; SECTOR_SIZE]);
        assert!(
            described.starts_with("read-buffer fill 0xa5"),
            "{described}"
        );
    }

    #[test]
    fn fill_is_the_same_sector_by_sector() {
        // The verifier regenerates one sector at a time what was written in one piece.
        let pattern = Pattern::new(4, 5);
        let mut whole = vec![0; 8 * SECTOR_SIZE];
        pattern.fill(&mut whole, 9, DEV_OFF);
        for (index, written) in whole.chunks_exact(SECTOR_SIZE).enumerate() {
            let dev_off = DEV_OFF + (index * SECTOR_SIZE) as u64;
            assert_eq!(written, sector(&pattern, 9, dev_off), "sector {index}");
        }
    }

    #[test]
    fn data_differs_between_iterations_offsets_and_runs() {
        let pattern = Pattern::new(1, 1);
        let base = sector(&pattern, 5, DEV_OFF);
        assert_eq!(base, sector(&Pattern::new(1, 1), 5, DEV_OFF));
        let others = [
            ("next iteration", sector(&pattern, 6, DEV_OFF)),
            (
                "next sector",
                sector(&pattern, 5, DEV_OFF + SECTOR_SIZE as u64),
            ),
            ("other run", sector(&Pattern::new(1, 2), 5, DEV_OFF)),
            ("other seed", sector(&Pattern::new(2, 1), 5, DEV_OFF)),
        ];
        for (what, other) in others {
            assert_ne!(base[..HEADER_LEN], other[..HEADER_LEN], "{what}");
            // The bodies differ too, not only the headers: random bytes agree by chance
            // about twice in a sector.
            let same = base[HEADER_LEN..]
                .iter()
                .zip(&other[HEADER_LEN..])
                .filter(|(a, b)| a == b)
                .count();
            assert!(same < 16, "{what}: {same} equal body bytes");
        }
    }
}
