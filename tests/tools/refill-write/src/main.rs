// SPDX-License-Identifier: GPL-2.0
//! Writes block after block with O_DIRECT from ONE buffer, refilled with the next block's
//! data as soon as each write returns. If a driver completes a write while a frame still
//! points at the buffer's pages (queued in a qdisc, a retransmission's original), that frame
//! carries the next block's data to this block's place: the check of the device, or of the
//! target's image with `--check-file`, names which block's data landed where.
//!
//! Exit status: 0 every block holds its own data, 1 some do not, 2 usage or setup error.

use std::fs::{File, OpenOptions};
use std::os::unix::fs::{FileExt, OpenOptionsExt};
use std::process::ExitCode;

use tool_common::cli::{self, Parsed};
use tool_common::os_error::describe;
use tool_common::rng::splitmix64;

const USAGE: &str = "\
usage: refill-write --device DEV [--block-size BYTES] [--blocks N] [--offset BYTES] [--seed S]
       refill-write --check-file IMAGE [--block-size BYTES] [--blocks N] [--offset BYTES] [--seed S]
  --device DEV        write the blocks with O_DIRECT, then read each back with O_DIRECT
  --check-file IMAGE  only check a file (the target's image) holds the blocks
";

/// Alignment of the O_DIRECT buffer.
const ALIGN: usize = 4096;

struct Config {
    device: Option<String>,
    check_file: Option<String>,
    block_size: usize,
    blocks: u64,
    offset: u64,
    seed: u64,
}

fn parse(mut args: impl Iterator<Item = String>) -> Result<Parsed<Config>, String> {
    let mut config = Config {
        device: None,
        check_file: None,
        block_size: 65536,
        blocks: 64,
        offset: 0,
        seed: 1,
    };
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--device" => config.device = Some(cli::value(&arg, &mut args)?),
            "--check-file" => config.check_file = Some(cli::value(&arg, &mut args)?),
            "--block-size" => config.block_size = cli::value(&arg, &mut args)?,
            "--blocks" => config.blocks = cli::value(&arg, &mut args)?,
            "--offset" => config.offset = cli::value(&arg, &mut args)?,
            "--seed" => config.seed = cli::value(&arg, &mut args)?,
            "--help" | "-h" => return Ok(Parsed::Help),
            _ => return Err(format!("unknown argument '{arg}'")),
        }
    }
    if config.device.is_some() == config.check_file.is_some() {
        return Err("give exactly one of --device and --check-file".into());
    }
    if config.block_size == 0 || !config.block_size.is_multiple_of(ALIGN) {
        return Err(format!("--block-size must be a multiple of {ALIGN}"));
    }
    if !config.offset.is_multiple_of(ALIGN as u64) {
        return Err(format!("--offset must be a multiple of {ALIGN}"));
    }
    Ok(Parsed::Run(config))
}

/// 8-byte words per 512-byte sector.
const SECTOR_WORDS: usize = 64;

/// The 8-byte words of block `block`: the first of every sector names the block, so a sector
/// that lands elsewhere tells where it came from; the rest are pseudo-random.
fn word(seed: u64, block: u64, index: usize) -> u64 {
    if index.is_multiple_of(SECTOR_WORDS) {
        return block;
    }
    splitmix64(seed ^ (block << 24) ^ index as u64)
}

fn fill(buf: &mut [u8], seed: u64, block: u64) {
    for (index, chunk) in buf.chunks_exact_mut(8).enumerate() {
        chunk.copy_from_slice(&word(seed, block, index).to_le_bytes());
    }
}

/// What a block read back holds.
#[derive(Debug, PartialEq, Eq)]
enum Found {
    /// Its own data.
    Own,
    /// Whole sectors of these blocks (its own among them, or not): stale frames' data.
    Sectors(Vec<u64>),
    /// Something else.
    Garbage,
}

fn classify(buf: &[u8], seed: u64, block: u64) -> Found {
    let mut want = vec![0u8; buf.len()];
    fill(&mut want, seed, block);
    if buf == want.as_slice() {
        return Found::Own;
    }
    let sector_bytes = SECTOR_WORDS * 8;
    let mut sources = Vec::new();
    for (index, sector) in buf.chunks(sector_bytes).enumerate() {
        let named = u64::from_le_bytes(sector[..8].try_into().unwrap_or_default());
        fill(&mut want, seed, named);
        if want.chunks(sector_bytes).nth(index) != Some(sector) {
            return Found::Garbage;
        }
        if !sources.contains(&named) {
            sources.push(named);
        }
    }
    Found::Sectors(sources)
}

/// An aligned buffer for O_DIRECT.
struct Aligned {
    ptr: *mut u8,
    len: usize,
}

impl Aligned {
    fn new(len: usize) -> Result<Self, String> {
        let mut ptr = std::ptr::null_mut();
        // SAFETY: posix_memalign writes a pointer to `len` bytes aligned to `ALIGN` into `ptr`.
        let ret = unsafe { libc::posix_memalign(&mut ptr, ALIGN, len) };
        if ret != 0 {
            return Err(format!("posix_memalign({len}) failed: {ret}"));
        }
        Ok(Aligned {
            ptr: ptr.cast(),
            len,
        })
    }

    fn bytes(&mut self) -> &mut [u8] {
        // SAFETY: `ptr` points to `len` bytes this value owns.
        unsafe { std::slice::from_raw_parts_mut(self.ptr, self.len) }
    }
}

impl Drop for Aligned {
    fn drop(&mut self) {
        // SAFETY: `ptr` came from posix_memalign and is freed once.
        unsafe { libc::free(self.ptr.cast()) };
    }
}

/// Checks every block of `file` (read through `read_block`) and prints one line per bad block.
fn check(
    config: &Config,
    what: &str,
    mut read_block: impl FnMut(u64, &mut [u8]) -> Result<(), String>,
) -> Result<ExitCode, String> {
    let mut buf = Aligned::new(config.block_size)?;
    let (mut own, mut stale, mut garbage) = (0u64, 0u64, 0u64);
    for block in 0..config.blocks {
        read_block(
            config.offset + block * config.block_size as u64,
            buf.bytes(),
        )?;
        match classify(buf.bytes(), config.seed, block) {
            Found::Own => own += 1,
            Found::Sectors(sources) => {
                stale += 1;
                println!("# {what}: block {block} holds sectors of blocks {sources:?}");
            }
            Found::Garbage => {
                garbage += 1;
                println!("# {what}: block {block} holds unknown data");
            }
        }
    }
    println!(
        "# {what}: blocks={} own={own} with_other_blocks_sectors={stale} unknown={garbage}",
        config.blocks
    );
    Ok(if own == config.blocks {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn run(config: Config) -> Result<ExitCode, String> {
    if let Some(path) = &config.check_file {
        let file = File::open(path).map_err(|err| format!("{path}: {}", describe(&err)))?;
        return check(&config, "image", |at, buf| {
            file.read_exact_at(buf, at)
                .map_err(|err| format!("read at {at}: {}", describe(&err)))
        });
    }
    let path = config.device.clone().unwrap_or_default();
    let device = OpenOptions::new()
        .read(true)
        .write(true)
        .custom_flags(libc::O_DIRECT)
        .open(&path)
        .map_err(|err| format!("{path}: {}", describe(&err)))?;
    let mut buf = Aligned::new(config.block_size)?;
    fill(buf.bytes(), config.seed, 0);
    for block in 0..config.blocks {
        let at = config.offset + block * config.block_size as u64;
        device
            .write_all_at(buf.bytes(), at)
            .map_err(|err| format!("write of block {block} at {at}: {}", describe(&err)))?;
        // At once: a frame still holding the pages would now carry the next block's data.
        fill(buf.bytes(), config.seed, block + 1);
    }
    check(&config, "device", |at, out| {
        device
            .read_exact_at(out, at)
            .map_err(|err| format!("read at {at}: {}", describe(&err)))
    })
}

fn main() -> ExitCode {
    cli::main("refill-write", USAGE, parse(std::env::args().skip(1)), run)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_name_themselves() {
        let mut buf = vec![0u8; 4096];
        fill(&mut buf, 7, 3);
        assert_eq!(classify(&buf, 7, 3), Found::Own);
        assert_eq!(classify(&buf, 7, 2), Found::Sectors(vec![3]));
        // A stale frame's sectors from block 4 in the middle of block 3.
        let mut next = vec![0u8; 4096];
        fill(&mut next, 7, 4);
        buf[1024..2048].copy_from_slice(&next[1024..2048]);
        assert_eq!(classify(&buf, 7, 3), Found::Sectors(vec![3, 4]));
        buf[100] ^= 1;
        assert_eq!(classify(&buf, 7, 3), Found::Garbage);
    }

    #[test]
    fn arguments_are_checked() {
        let args = |list: &[&str]| parse(list.iter().map(|s| s.to_string()));
        assert!(args(&[]).is_err());
        assert!(args(&["--device", "d", "--check-file", "f"]).is_err());
        assert!(args(&["--device", "d", "--block-size", "1000"]).is_err());
        assert!(matches!(args(&["--device", "d"]), Ok(Parsed::Run(_))));
    }
}
