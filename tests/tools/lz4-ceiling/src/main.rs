// SPDX-License-Identifier: GPL-2.0
//! Raw LZ4 speed on a dataset, page by page as zram compresses it: the ceiling a compressing
//! RAM disk's write (compress) and read (decompress) throughput is measured against.
//!
//! Exit status: 0 measured, 1 a page did not survive the round trip, 2 usage or setup error.

mod ceiling;
mod lz4;

use std::process::ExitCode;
use std::time::Duration;

use tool_common::cli::{self, Parsed};
use tool_common::os_error::describe;

const USAGE: &str = "\
usage: lz4-ceiling --file PATH [--min-secs S]

Compresses every whole 4 KiB page of PATH on its own with the reference C LZ4 (default
acceleration, as zram's lz4 backend), then decompresses them, each direction repeated
for at least S seconds [2] on one CPU, after one pass checking every page round-trips.
Prints, one per line: pages N, compressed_bytes N, compress_mb_s X, decompress_mb_s X
(MB = 10^6 bytes of uncompressed data).
";

struct Config {
    file: String,
    min_secs: f64,
}

fn parse(mut args: impl Iterator<Item = String>) -> Result<Parsed<Config>, String> {
    let mut file = None;
    let mut min_secs = 2.0;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--file" => file = Some(cli::value(&arg, &mut args)?),
            "--min-secs" => min_secs = cli::value(&arg, &mut args)?,
            "--help" | "-h" => return Ok(Parsed::Help),
            _ => return Err(format!("unknown argument '{arg}'")),
        }
    }
    if !(0.0..=3600.0).contains(&min_secs) {
        return Err("--min-secs must be between 0 and 3600".into());
    }
    Ok(Parsed::Run(Config {
        file: file.ok_or("--file is required")?,
        min_secs,
    }))
}

fn run(config: Config) -> Result<ExitCode, String> {
    let dataset = std::fs::read(&config.file)
        .map_err(|err| format!("reading {}: {}", config.file, describe(&err)))?;
    let ceiling = match ceiling::measure(&dataset, Duration::from_secs_f64(config.min_secs)) {
        Ok(ceiling) => ceiling,
        Err(msg) => {
            println!("# lz4-ceiling: {msg}");
            return Ok(ExitCode::FAILURE);
        }
    };
    println!("pages {}", ceiling.pages);
    println!("compressed_bytes {}", ceiling.compressed_bytes);
    println!("compress_mb_s {:.1}", ceiling.compress_bytes_per_sec / 1e6);
    println!(
        "decompress_mb_s {:.1}",
        ceiling.decompress_bytes_per_sec / 1e6
    );
    Ok(ExitCode::SUCCESS)
}

fn main() -> ExitCode {
    cli::main("lz4-ceiling", USAGE, parse(std::env::args().skip(1)), run)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(list: &[&str]) -> Result<Parsed<Config>, String> {
        parse(list.iter().map(|arg| arg.to_string()))
    }

    #[test]
    fn options() {
        let Ok(Parsed::Run(config)) = parsed(&["--file", "/tmp/x", "--min-secs", "0.5"]) else {
            panic!("a valid command line was refused");
        };
        assert_eq!((config.file.as_str(), config.min_secs), ("/tmp/x", 0.5));
        assert!(matches!(parsed(&["--help"]), Ok(Parsed::Help)));
        assert_eq!(parsed(&[]).err().as_deref(), Some("--file is required"));
        assert_eq!(
            parsed(&["--file", "x", "--min-secs", "-1"])
                .err()
                .as_deref(),
            Some("--min-secs must be between 0 and 3600")
        );
    }
}
