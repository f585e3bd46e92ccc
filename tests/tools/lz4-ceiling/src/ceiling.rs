// SPDX-License-Identifier: GPL-2.0
//! Compresses and decompresses a dataset page by page, timed over whole passes.

use std::time::{Duration, Instant};

use crate::lz4;

/// zram's unit: every page is compressed on its own.
pub const PAGE_SIZE: usize = 4096;

/// The outcome of a measurement.
#[derive(Debug)]
pub struct Ceiling {
    /// Whole pages of the dataset.
    pub pages: usize,
    /// Their compressed lengths, added up.
    pub compressed_bytes: usize,
    /// Input bytes compressed per second.
    pub compress_bytes_per_sec: f64,
    /// Output bytes decompressed per second.
    pub decompress_bytes_per_sec: f64,
}

/// The dataset's pages compressed, each in a slot its worst case fits, allocated once so the
/// timed passes only compress.
struct Packed {
    slots: Vec<u8>,
    slot_len: usize,
    /// The compressed length of each page.
    lens: Vec<usize>,
}

impl Packed {
    fn new(pages: usize) -> Self {
        let slot_len = lz4::worst_case(PAGE_SIZE);
        Packed {
            slots: vec![0; pages * slot_len],
            slot_len,
            lens: vec![0; pages],
        }
    }

    fn page(&self, index: usize) -> &[u8] {
        &self.slots[index * self.slot_len..][..self.lens[index]]
    }

    fn compressed_bytes(&self) -> usize {
        self.lens.iter().sum()
    }
}

/// Compresses every whole page of `dataset` into `out`.
fn compress_all(dataset: &[u8], out: &mut Packed) -> Result<(), String> {
    let pages = dataset.chunks_exact(PAGE_SIZE);
    let slots = out.slots.chunks_exact_mut(out.slot_len);
    for (index, ((page, slot), len)) in pages.zip(slots).zip(&mut out.lens).enumerate() {
        *len = lz4::compress(page, slot)
            .ok_or_else(|| format!("page {index} did not compress within the worst case"))?;
    }
    Ok(())
}

/// Decompresses every page of `packed` into `page`; with `dataset`, checks each against it.
fn decompress_all(packed: &Packed, page: &mut [u8], dataset: Option<&[u8]>) -> Result<(), String> {
    for index in 0..packed.lens.len() {
        lz4::decompress(packed.page(index), page)
            .map_err(|()| format!("page {index} did not decompress to a whole page"))?;
        if let Some(dataset) = dataset {
            if page != &dataset[index * PAGE_SIZE..][..PAGE_SIZE] {
                return Err(format!("page {index} came back different"));
            }
        }
    }
    Ok(())
}

/// Runs `pass` until `min_time` has gone by (at least once); returns the passes and the
/// time they took.
fn timed(
    min_time: Duration,
    mut pass: impl FnMut() -> Result<(), String>,
) -> Result<(u32, Duration), String> {
    let start = Instant::now();
    let mut passes = 0;
    loop {
        pass()?;
        passes += 1;
        let elapsed = start.elapsed();
        if elapsed >= min_time {
            return Ok((passes, elapsed));
        }
    }
}

/// Measures LZ4 on the whole pages of `dataset`, each direction for at least `min_time`,
/// after one untimed pass that checks every page survives the round trip.
pub fn measure(dataset: &[u8], min_time: Duration) -> Result<Ceiling, String> {
    let pages = dataset.len() / PAGE_SIZE;
    if pages == 0 {
        return Err("the dataset holds no whole page".into());
    }
    let mut packed = Packed::new(pages);
    let mut page = vec![0; PAGE_SIZE];
    compress_all(dataset, &mut packed)?;
    decompress_all(&packed, &mut page, Some(dataset))?;

    let bytes = (pages * PAGE_SIZE) as f64;
    let (passes, time) = timed(min_time, || compress_all(dataset, &mut packed))?;
    let compress_bytes_per_sec = bytes * f64::from(passes) / time.as_secs_f64();
    let (passes, time) = timed(min_time, || decompress_all(&packed, &mut page, None))?;
    let decompress_bytes_per_sec = bytes * f64::from(passes) / time.as_secs_f64();
    Ok(Ceiling {
        pages,
        compressed_bytes: packed.compressed_bytes(),
        compress_bytes_per_sec,
        decompress_bytes_per_sec,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use tool_common::rng::Xorshift64;

    #[test]
    fn measures_a_mixed_dataset() {
        let mut rng = Xorshift64::new(3);
        let mut dataset = vec![0; PAGE_SIZE];
        dataset.extend((0..PAGE_SIZE).map(|_| rng.next_u64() as u8));
        dataset.extend(b"0123456789abcdef".iter().cycle().take(PAGE_SIZE));
        // A partial page at the end is left out, as zram never sees one.
        dataset.extend([1; 100]);
        let ceiling = measure(&dataset, Duration::ZERO).unwrap();
        assert_eq!(ceiling.pages, 3);
        // The random page alone compresses to more than a page; the others to little.
        assert!(
            (PAGE_SIZE..2 * PAGE_SIZE).contains(&ceiling.compressed_bytes),
            "{ceiling:?}"
        );
        assert!(ceiling.compress_bytes_per_sec > 0.0 && ceiling.decompress_bytes_per_sec > 0.0);
    }

    #[test]
    fn refuses_an_empty_dataset() {
        assert!(measure(&[0; PAGE_SIZE - 1], Duration::ZERO).is_err());
    }
}
