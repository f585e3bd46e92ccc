// SPDX-License-Identifier: GPL-2.0
//! O_DIRECT writes and reads between buffers backed by 2 MiB pages and a block device, at
//! device offsets that are not 2 MiB aligned, with every byte verified. Each I/O crosses a
//! 2 MiB boundary of its buffer where its length allows, so the driver under test pins bio
//! pages that are tail pages of a compound page.

mod args;
mod buffer;
mod pattern;

use std::collections::VecDeque;
use std::fs::{self, File, OpenOptions};
use std::io::{self, ErrorKind};
use std::os::unix::fs::{FileExt, FileTypeExt, OpenOptionsExt};
use std::os::unix::io::AsRawFd;
use std::path::Path;
use std::process::ExitCode;
use std::time::{SystemTime, UNIX_EPOCH};

use args::{Config, Source, USAGE};
use buffer::HugeBuffer;
use pattern::{Pattern, READ_FILL, SECTOR_SIZE};
use tool_common::cli;
use tool_common::os_error::describe;
use tool_common::rng::Xorshift64;

pub const HUGE_PAGE_SIZE: usize = 2 << 20;
/// Granularity of I/O lengths and offsets: O_DIRECT needs logical-block alignment, and
/// 4 KiB satisfies every common device.
pub const IO_ALIGN: usize = 4096;
/// Keeps every I/O two pages shorter than its buffer, so even the longest ones vary in
/// where they sit relative to the buffer's 2 MiB boundaries.
const BUFFER_SLACK: usize = 2 * IO_ALIGN;
/// How many of the last iterations the final pass re-reads.
const REREAD_DEPTH: usize = 8;
/// Mismatching sectors described per bad I/O; the rest are only counted.
const SECTORS_DESCRIBED: usize = 4;
const SPLIT_HUGE_PAGES: &str = "/sys/kernel/debug/split_huge_pages";
/// _IOR(0x12, 114, u64) in the asm-generic encoding used by x86, arm64 and riscv;
/// libc does not export it.
const BLKGETSIZE64: libc::Ioctl = 0x8008_1272;

fn main() -> ExitCode {
    let parsed = args::parse(std::env::args().skip(1));
    cli::main("hugepage-dio", USAGE, parsed, |config| {
        Ok(if run(&config)? {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(1)
        })
    })
}

/// One write/read pair: `len` bytes at `buf_off` in the buffers and `dev_off` on the device.
#[derive(Clone, Copy)]
struct Io {
    iteration: u32,
    buf_off: usize,
    dev_off: u64,
    len: usize,
}

impl Io {
    fn buf_range(&self) -> std::ops::Range<usize> {
        self.buf_off..self.buf_off + self.len
    }

    fn overlaps(&self, other: &Io) -> bool {
        self.dev_off < other.dev_off + other.len as u64
            && other.dev_off < self.dev_off + self.len as u64
    }
}

/// An I/O of the final re-read window, and whether its write completed.
struct Written {
    io: Io,
    intact: bool,
}

#[derive(Default)]
struct Tally {
    bytes_written: u64,
    bytes_verified: u64,
    mismatches: u64,
    io_errors: u64,
}

/// Returns whether every check passed; Err is a setup failure.
fn run(config: &Config) -> Result<bool, String> {
    let device = open_device(&config.device)?;
    let device_size = device_size(&device, &config.device)?;
    let region = config
        .region_bytes
        .map_or(device_size, |bytes| bytes.min(device_size))
        / IO_ALIGN as u64
        * IO_ALIGN as u64;
    // The smallest I/O needs a 4 KiB slot that is not 2 MiB aligned, at offset 4 KiB.
    if region < 2 * IO_ALIGN as u64 {
        return Err(format!(
            "{} is too small: {region} usable bytes, need at least {}",
            config.device.display(),
            2 * IO_ALIGN
        ));
    }
    // Both bounds leave room for the placement rules in plan_io.
    let max_len = config
        .max_io_bytes
        .min(config.buf_bytes - BUFFER_SLACK)
        .min(usize::try_from(region - IO_ALIGN as u64).unwrap_or(usize::MAX))
        / IO_ALIGN
        * IO_ALIGN;

    let (mut write_buffer, mut read_buffer) = match config.source {
        Source::Hugetlb => (
            HugeBuffer::hugetlb(config.buf_bytes)?,
            HugeBuffer::hugetlb(config.buf_bytes)?,
        ),
        Source::Thp => (
            HugeBuffer::thp(config.buf_bytes)?,
            HugeBuffer::thp(config.buf_bytes)?,
        ),
    };
    if config.source == Source::Thp {
        for (name, buffer) in [("write", &write_buffer), ("read", &read_buffer)] {
            let kib = buffer.anon_huge_pages_kib()?;
            println!(
                "# thp: AnonHugePages {kib} kB ({name} buffer of {} kB)",
                config.buf_bytes >> 10
            );
            if kib == 0 && config.thp_best_effort {
                println!(
                    "# thp: no huge page backs the {name} buffer (memory pressure): small pages"
                );
            } else if kib == 0 {
                return Err(format!(
                    "THP not backing the {name} buffer (AnonHugePages: 0 kB); \
                     check /sys/kernel/mm/transparent_hugepage/enabled"
                ));
            }
        }
    }
    let write_buf = write_buffer.as_mut_slice();
    let read_buf = read_buffer.as_mut_slice();

    let pattern = Pattern::new(config.seed, run_id());
    let mut splitter = config.split.then(Splitter::new);
    println!(
        "# hugepage-dio: device={} size={device_size} region={region} source={} buf_mib={} \
         max_io={max_len} iterations={} seed={} run_tag={:#010x}",
        config.device.display(),
        config.source.name(),
        config.buf_bytes >> 20,
        config.iterations,
        config.seed,
        pattern.run_tag()
    );

    let mut rng = Xorshift64::new(config.seed);
    let mut tally = Tally::default();
    let mut recent: VecDeque<Written> = VecDeque::with_capacity(REREAD_DEPTH + 1);
    for iteration in 0..config.iterations {
        let io = plan_io(&mut rng, iteration, write_buf.len(), max_len, region);
        pattern.fill(&mut write_buf[io.buf_range()], io.iteration, io.dev_off);
        let written = device.write_all_at(&write_buf[io.buf_range()], io.dev_off);
        recent.push_back(Written {
            io,
            intact: written.is_ok(),
        });
        if recent.len() > REREAD_DEPTH {
            recent.pop_front();
        }
        if let Err(err) = written {
            report_io_error("pwrite", &io, &err);
            tally.io_errors += 1;
            continue;
        }
        tally.bytes_written += io.len as u64;
        if let Some(splitter) = splitter.as_mut() {
            splitter.request()?;
        }
        read_and_verify(&device, &pattern, "write", &io, read_buf, &mut tally);
    }

    // Later writes may have overwritten parts of earlier ones, so those are not re-read.
    let mut reread = 0;
    for (position, entry) in recent.iter().enumerate() {
        let overwritten = recent
            .iter()
            .skip(position + 1)
            .any(|later| later.io.overlaps(&entry.io));
        if entry.intact && !overwritten {
            read_and_verify(&device, &pattern, "reread", &entry.io, read_buf, &mut tally);
            reread += 1;
        }
    }
    println!(
        "# reread: {reread} of the last {} regions verified again",
        recent.len()
    );

    let splits = splitter.map_or(String::new(), |splitter| {
        format!(" splits={}", splitter.requests)
    });
    println!(
        "# hugepage-dio: source={} iterations={} bytes_written={} bytes_verified={} \
         mismatches={} io_errors={}{splits}",
        config.source.name(),
        config.iterations,
        tally.bytes_written,
        tally.bytes_verified,
        tally.mismatches,
        tally.io_errors
    );
    Ok(tally.mismatches == 0 && (tally.io_errors == 0 || config.allow_io_errors))
}

fn open_device(path: &Path) -> Result<File, String> {
    OpenOptions::new()
        .read(true)
        .write(true)
        .custom_flags(libc::O_DIRECT)
        .open(path)
        .map_err(|err| {
            format!(
                "open {} with O_RDWR|O_DIRECT failed: {}",
                path.display(),
                describe(&err)
            )
        })
}

fn device_size(device: &File, path: &Path) -> Result<u64, String> {
    let metadata = device
        .metadata()
        .map_err(|err| format!("fstat {} failed: {}", path.display(), describe(&err)))?;
    if metadata.is_file() {
        return Ok(metadata.len());
    }
    if !metadata.file_type().is_block_device() {
        return Err(format!(
            "{} is neither a block device nor a regular file",
            path.display()
        ));
    }
    let mut size: u64 = 0;
    // SAFETY: BLKGETSIZE64 stores one u64 through the pointer, which points at a live local.
    let rc = unsafe { libc::ioctl(device.as_raw_fd(), BLKGETSIZE64, &mut size as *mut u64) };
    if rc != 0 {
        return Err(format!(
            "ioctl BLKGETSIZE64 on {} failed: {}",
            path.display(),
            describe(&io::Error::last_os_error())
        ));
    }
    Ok(size)
}

/// Seeds the data pattern so it differs from whatever an earlier run left on the device.
fn run_id() -> u64 {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_nanos() as u64);
    nanos ^ (u64::from(std::process::id()) << 40)
}

/// Picks a length, a buffer offset whose range crosses an interior 2 MiB boundary of the
/// buffer whenever the length spans two pages, and a device offset that is 4 KiB aligned
/// but not 2 MiB aligned. Needs a buffer of at least 4 MiB and `max_len <= region - 4 KiB`.
fn plan_io(
    rng: &mut Xorshift64,
    iteration: u32,
    buf_len: usize,
    max_len: usize,
    region: u64,
) -> Io {
    let len = IO_ALIGN * (1 + rng.below(max_len / IO_ALIGN));

    let buf_off = if len >= 2 * IO_ALIGN {
        // Across boundary b the I/O starts `before` bytes below it: at least one page on
        // each side of b, and the whole I/O inside the buffer. The first boundary always
        // qualifies because the buffer is at least 4 MiB, so the list is never empty.
        let placements: Vec<(usize, usize, usize)> = (HUGE_PAGE_SIZE..buf_len)
            .step_by(HUGE_PAGE_SIZE)
            .filter_map(|boundary| {
                let lowest = IO_ALIGN.max((boundary + len).saturating_sub(buf_len));
                let highest = (len - IO_ALIGN).min(boundary);
                (lowest <= highest).then_some((boundary, lowest, highest))
            })
            .collect();
        let (boundary, lowest, highest) = placements[rng.below(placements.len())];
        let before = lowest + IO_ALIGN * rng.below((highest - lowest) / IO_ALIGN + 1);
        boundary - before
    } else {
        IO_ALIGN * rng.below((buf_len - len) / IO_ALIGN + 1)
    };

    let last_dev_off = region - len as u64;
    let slots = usize::try_from(last_dev_off / IO_ALIGN as u64 + 1).unwrap_or(usize::MAX);
    let mut dev_off = IO_ALIGN as u64 * rng.below(slots) as u64;
    if dev_off.is_multiple_of(HUGE_PAGE_SIZE as u64) {
        // A neighbouring slot is never 2 MiB aligned, and one of them is in the region.
        dev_off = if dev_off + IO_ALIGN as u64 <= last_dev_off {
            dev_off + IO_ALIGN as u64
        } else {
            dev_off - IO_ALIGN as u64
        };
    }

    Io {
        iteration,
        buf_off,
        dev_off,
        len,
    }
}

/// Reads `io` back into `read_buf` and checks it against the pattern regenerated from
/// scratch, so nothing that happened to the write buffer can hide a bad read.
fn read_and_verify(
    device: &File,
    pattern: &Pattern,
    pass: &str,
    io: &Io,
    read_buf: &mut [u8],
    tally: &mut Tally,
) {
    let got = &mut read_buf[io.buf_range()];
    got.fill(READ_FILL);
    if let Err(err) = device.read_exact_at(got, io.dev_off) {
        report_io_error("pread", io, &err);
        tally.io_errors += 1;
        return;
    }
    tally.bytes_verified += io.len as u64;

    let Some(mismatch) = find_mismatch(pattern, io, got) else {
        return;
    };
    tally.mismatches += 1;
    println!(
        "# MISMATCH pass={pass} iteration={} dev_off={:#x} len={} buf_off={:#x} \
         first_bad_byte={} expected={:#04x} got={:#04x} bad_sectors={}/{}",
        io.iteration,
        io.dev_off,
        io.len,
        io.buf_off,
        mismatch.first_bad_byte,
        mismatch.want,
        mismatch.have,
        mismatch.bad_sectors.len(),
        io.len / SECTOR_SIZE
    );
    for &sector in mismatch.bad_sectors.iter().take(SECTORS_DESCRIBED) {
        let at = sector * SECTOR_SIZE;
        println!(
            "#   sector at dev_off={:#x} holds {}",
            io.dev_off + at as u64,
            pattern.identify(&got[at..at + SECTOR_SIZE])
        );
    }
}

/// Where the data read for an I/O first differs from what was written, and which sectors
/// differ.
#[derive(Debug, PartialEq)]
struct Mismatch {
    /// Offset within the I/O of the first differing byte.
    first_bad_byte: usize,
    /// The byte written there.
    want: u8,
    /// The byte read there.
    have: u8,
    /// Indexes within the I/O of every sector that differs.
    bad_sectors: Vec<usize>,
}

/// Compares `got`, the data read for `io`, with the pattern of `io`.
fn find_mismatch(pattern: &Pattern, io: &Io, got: &[u8]) -> Option<Mismatch> {
    let mut expected = [0u8; SECTOR_SIZE];
    let mut bad_sectors = Vec::new();
    let mut first_bad = None;
    for (sector, got_sector) in got.chunks_exact(SECTOR_SIZE).enumerate() {
        let sector_dev_off = io.dev_off + (sector * SECTOR_SIZE) as u64;
        pattern.fill(&mut expected, io.iteration, sector_dev_off);
        if got_sector == expected {
            continue;
        }
        if first_bad.is_none() {
            first_bad = expected
                .iter()
                .zip(got_sector)
                .position(|(want, have)| want != have)
                .map(|at| (sector * SECTOR_SIZE + at, expected[at], got_sector[at]));
        }
        bad_sectors.push(sector);
    }
    let (first_bad_byte, want, have) = first_bad?;
    Some(Mismatch {
        first_bad_byte,
        want,
        have,
        bad_sectors,
    })
}

fn report_io_error(op: &str, io: &Io, err: &io::Error) {
    // std turns a zero-length transfer into these two kinds.
    let reason = match err.kind() {
        ErrorKind::UnexpectedEof => "short read: end of device reached".to_string(),
        ErrorKind::WriteZero => "short write: device took no more bytes".to_string(),
        _ => describe(err),
    };
    println!(
        "# IO_ERROR {op} iteration={} dev_off={:#x} len={} buf_off={:#x}: {reason}",
        io.iteration, io.dev_off, io.len, io.buf_off
    );
}

/// Asks the kernel to split every transparent huge page, so reads land in pages that
/// were just split.
struct Splitter {
    available: bool,
    requests: u64,
}

impl Splitter {
    fn new() -> Self {
        let available = Path::new(SPLIT_HUGE_PAGES).exists();
        if !available {
            println!("# split_huge_pages unavailable");
        }
        Splitter {
            available,
            requests: 0,
        }
    }

    fn request(&mut self) -> Result<(), String> {
        if !self.available {
            return Ok(());
        }
        match fs::write(SPLIT_HUGE_PAGES, "1") {
            Ok(()) => {
                self.requests += 1;
                Ok(())
            }
            Err(err) if err.kind() == ErrorKind::NotFound => {
                self.available = false;
                println!("# split_huge_pages unavailable");
                Ok(())
            }
            Err(err) => Err(format!(
                "writing 1 to {SPLIT_HUGE_PAGES} failed: {}",
                describe(&err)
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIB: usize = 1 << 20;

    /// Plans I/Os as run() does and checks every placement rule.
    fn check_plans(seed: u64, buf_len: usize, max_len: usize, region: u64) {
        let mut rng = Xorshift64::new(seed);
        let mut crossing = 0;
        for iteration in 0..2000 {
            let io = plan_io(&mut rng, iteration, buf_len, max_len, region);
            let at = format!(
                "buf_len={buf_len} max_len={max_len} region={region} iteration={iteration}: \
                 len={} buf_off={:#x} dev_off={:#x}",
                io.len, io.buf_off, io.dev_off
            );
            assert_eq!(io.iteration, iteration);
            assert!((IO_ALIGN..=max_len).contains(&io.len), "{at}");
            assert!(io.len.is_multiple_of(IO_ALIGN), "{at}");
            assert!(io.buf_off.is_multiple_of(IO_ALIGN), "{at}");
            assert!(io.buf_off + io.len <= buf_len, "{at}");
            assert!(io.dev_off.is_multiple_of(IO_ALIGN as u64), "{at}");
            assert!(io.dev_off + io.len as u64 <= region, "{at}");
            assert!(!io.dev_off.is_multiple_of(HUGE_PAGE_SIZE as u64), "{at}");
            if io.len >= 2 * IO_ALIGN {
                // At least a page on each side of an interior 2 MiB boundary of the buffer.
                let crosses = (HUGE_PAGE_SIZE..buf_len)
                    .step_by(HUGE_PAGE_SIZE)
                    .any(|b| io.buf_off + IO_ALIGN <= b && b + IO_ALIGN <= io.buf_off + io.len);
                assert!(crosses, "{at}");
                crossing += 1;
            }
        }
        if max_len >= 2 * IO_ALIGN {
            assert!(crossing > 1000, "only {crossing} I/Os long enough to cross");
        }
    }

    #[test]
    fn plan_io_defaults() {
        // 8 MiB buffers and I/Os up to 4 MiB on a 1 GiB device.
        check_plans(1, 8 * MIB, 4 * MIB, 1 << 30);
    }

    #[test]
    fn plan_io_longest_ios() {
        // I/Os up to the buffer minus BUFFER_SLACK, on a region one page longer.
        let max_len = 4 * MIB - BUFFER_SLACK;
        check_plans(2, 4 * MIB, max_len, (max_len + IO_ALIGN) as u64);
    }

    #[test]
    fn plan_io_smallest_regions() {
        // The smallest region run() accepts: one 4 KiB slot that is not 2 MiB aligned.
        check_plans(3, 4 * MIB, IO_ALIGN, 2 * IO_ALIGN as u64);
        // A region whose first and last slots are both 2 MiB aligned.
        check_plans(4, 4 * MIB, IO_ALIGN, (2 * MIB + IO_ALIGN) as u64);
        check_plans(5, 4 * MIB, 3 * IO_ALIGN, (2 * MIB + 3 * IO_ALIGN) as u64);
    }

    const IO: Io = Io {
        iteration: 3,
        buf_off: 0x1f_f000,
        dev_off: 0x20_3000,
        len: 3 * IO_ALIGN,
    };

    fn written(pattern: &Pattern, io: &Io) -> Vec<u8> {
        let mut data = vec![0; io.len];
        pattern.fill(&mut data, io.iteration, io.dev_off);
        data
    }

    #[test]
    fn intact_data_verifies() {
        let pattern = Pattern::new(1, 1);
        assert_eq!(find_mismatch(&pattern, &IO, &written(&pattern, &IO)), None);
    }

    #[test]
    fn flipped_byte_is_found() {
        let pattern = Pattern::new(1, 1);
        for at in [
            0,
            8,
            15,
            16,
            SECTOR_SIZE - 1,
            5 * SECTOR_SIZE + 100,
            IO.len - 1,
        ] {
            let mut got = written(&pattern, &IO);
            let want = got[at];
            got[at] ^= 0x10;
            let expected = Mismatch {
                first_bad_byte: at,
                want,
                have: want ^ 0x10,
                bad_sectors: vec![at / SECTOR_SIZE],
            };
            assert_eq!(
                find_mismatch(&pattern, &IO, &got),
                Some(expected),
                "byte {at}"
            );
        }
    }

    #[test]
    fn stale_misplaced_and_unread_data_is_found() {
        let pattern = Pattern::new(1, 1);
        let every_sector: Vec<usize> = (0..IO.len / SECTOR_SIZE).collect();
        let cases = [
            (
                "previous iteration",
                written(&pattern, &Io { iteration: 2, ..IO }),
            ),
            ("earlier run", written(&Pattern::new(1, 0), &IO)),
            (
                "one sector further",
                written(
                    &pattern,
                    &Io {
                        dev_off: IO.dev_off + SECTOR_SIZE as u64,
                        ..IO
                    },
                ),
            ),
            ("read fill", vec![READ_FILL; IO.len]),
        ];
        for (what, got) in cases {
            let mismatch = find_mismatch(&pattern, &IO, &got);
            assert_eq!(
                mismatch.map(|mismatch| mismatch.bad_sectors),
                Some(every_sector.clone()),
                "{what}"
            );
        }
    }
}
