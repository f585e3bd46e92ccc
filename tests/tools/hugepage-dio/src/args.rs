// SPDX-License-Identifier: GPL-2.0
//! Command-line parsing, by hand to keep the dependency list at libc alone.

use std::path::PathBuf;

use tool_common::cli::{value, Parsed};

use crate::{HUGE_PAGE_SIZE, IO_ALIGN};

pub const USAGE: &str = "\
usage: hugepage-dio --device PATH --source hugetlb|thp [options]

O_DIRECT writes and reads between 2 MiB huge-page buffers and PATH (a block device or
a regular file), at device offsets that are not 2 MiB aligned, verifying every byte.

  --device PATH       block device or regular file to overwrite (its data is destroyed)
  --source KIND       hugetlb: MAP_HUGETLB 2 MiB pages (needs vm.nr_hugepages)
                      thp: anonymous memory with MADV_HUGEPAGE
  --buf-mib N         size of each of the two buffers, a multiple of 2, at least 4 [8]
  --max-io-kib K      largest single I/O, a multiple of 4 [4096]
  --iterations N      number of write/read/verify rounds [64]
  --seed S            seed for lengths and offsets [1]
  --region-mib M      use only the first M MiB of PATH [whole device]
  --split             ask the kernel to split all THPs between each write and its read
                      (writes 1 to /sys/kernel/debug/split_huge_pages)
  --thp-best-effort   with --source thp, run on small pages when no huge page backs a
                      buffer (memory pressure) instead of failing
  --allow-io-errors   an I/O error is counted, not a failure (fault injection): a failed
                      write is not verified, a failed read verifies nothing
  --help              print this text

Exit status: 0 all data verified, 1 mismatch or (without --allow-io-errors) I/O error,
2 usage or setup error.
";

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Hugetlb,
    Thp,
}

impl Source {
    pub fn name(self) -> &'static str {
        match self {
            Source::Hugetlb => "hugetlb",
            Source::Thp => "thp",
        }
    }
}

pub struct Config {
    pub device: PathBuf,
    pub source: Source,
    pub buf_bytes: usize,
    pub max_io_bytes: usize,
    pub iterations: u32,
    pub seed: u64,
    pub region_bytes: Option<u64>,
    pub split: bool,
    pub thp_best_effort: bool,
    pub allow_io_errors: bool,
}

pub fn parse(args: impl IntoIterator<Item = String>) -> Result<Parsed<Config>, String> {
    let mut args = args.into_iter();
    let mut device = None;
    let mut source = None;
    let mut buf_mib: usize = 8;
    let mut max_io_kib: usize = 4096;
    let mut iterations: u32 = 64;
    let mut seed: u64 = 1;
    let mut region_mib: Option<u64> = None;
    let mut split = false;
    let mut thp_best_effort = false;
    let mut allow_io_errors = false;

    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--help" | "-h" => return Ok(Parsed::Help),
            "--device" => device = Some(PathBuf::from(value::<String>(&arg, &mut args)?)),
            "--source" => {
                source = Some(match value::<String>(&arg, &mut args)?.as_str() {
                    "hugetlb" => Source::Hugetlb,
                    "thp" => Source::Thp,
                    other => return Err(format!("--source must be hugetlb or thp, not '{other}'")),
                })
            }
            "--buf-mib" => buf_mib = value(&arg, &mut args)?,
            "--max-io-kib" => max_io_kib = value(&arg, &mut args)?,
            "--iterations" => iterations = value(&arg, &mut args)?,
            "--seed" => seed = value(&arg, &mut args)?,
            "--region-mib" => region_mib = Some(value(&arg, &mut args)?),
            "--split" => split = true,
            "--thp-best-effort" => thp_best_effort = true,
            "--allow-io-errors" => allow_io_errors = true,
            other => return Err(format!("unknown argument '{other}'")),
        }
    }

    let device = device.ok_or("--device is required")?;
    let source = source.ok_or("--source is required")?;
    let buf_bytes = buf_mib
        .checked_mul(1 << 20)
        .ok_or("--buf-mib is too large")?;
    // Two huge pages at least, so every buffer has an interior 2 MiB boundary to cross.
    if buf_bytes < 2 * HUGE_PAGE_SIZE || !buf_bytes.is_multiple_of(HUGE_PAGE_SIZE) {
        return Err(format!(
            "--buf-mib must be a multiple of 2 and at least 4, not {buf_mib}"
        ));
    }
    let max_io_bytes = max_io_kib
        .checked_mul(1024)
        .ok_or("--max-io-kib is too large")?;
    if max_io_bytes < IO_ALIGN || !max_io_bytes.is_multiple_of(IO_ALIGN) {
        return Err(format!(
            "--max-io-kib must be a positive multiple of 4, not {max_io_kib}"
        ));
    }
    if iterations == 0 {
        return Err("--iterations must be at least 1".into());
    }
    let region_bytes = match region_mib {
        Some(0) => return Err("--region-mib must be at least 1".into()),
        Some(mib) => Some(
            mib.checked_mul(1 << 20)
                .ok_or("--region-mib is too large")?,
        ),
        None => None,
    };

    Ok(Parsed::Run(Config {
        device,
        source,
        buf_bytes,
        max_io_bytes,
        iterations,
        seed,
        region_bytes,
        split,
        thp_best_effort,
        allow_io_errors,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_values() {
        let Ok(Parsed::Run(config)) =
            parse(["--device", "/dev/vdb", "--source", "thp"].map(String::from))
        else {
            panic!("--device and --source alone are a valid command line");
        };
        assert!(config.source == Source::Thp);
        assert_eq!(
            (config.buf_bytes, config.max_io_bytes, config.iterations),
            (8 << 20, 4 << 20, 64)
        );
        assert_eq!((config.region_bytes, config.split), (None, false));
        assert!(!config.allow_io_errors);
        let list = "--device f --source hugetlb --region-mib 3 --split --thp-best-effort \
                    --allow-io-errors";
        let Ok(Parsed::Run(config)) = parse(list.split_whitespace().map(String::from)) else {
            panic!("valid command line rejected");
        };
        assert_eq!((config.region_bytes, config.split), (Some(3 << 20), true));
        assert!(config.thp_best_effort && config.allow_io_errors);
        assert!(matches!(
            parse(["--help"].map(String::from)),
            Ok(Parsed::Help)
        ));
    }

    #[test]
    fn errors() {
        let required = ["--device", "f", "--source", "thp"];
        let cases: [(&[&str], &str); 7] = [
            (
                &["--source", "shm"],
                "--source must be hugetlb or thp, not 'shm'",
            ),
            (
                &["--buf-mib", "3"],
                "--buf-mib must be a multiple of 2 and at least 4, not 3",
            ),
            (
                &["--max-io-kib", "6"],
                "--max-io-kib must be a positive multiple of 4, not 6",
            ),
            (&["--iterations", "0"], "--iterations must be at least 1"),
            (&["--region-mib", "0"], "--region-mib must be at least 1"),
            (&["--seed"], "--seed needs a value"),
            (&["--seed", "-1"], "--seed: invalid value '-1'"),
        ];
        for (extra, msg) in cases {
            let args = required.iter().chain(extra).map(|arg| arg.to_string());
            let error = parse(args).err();
            assert_eq!(error.as_deref(), Some(msg), "{extra:?}");
        }
        let error = parse(["--source", "thp"].map(String::from)).err();
        assert_eq!(error.as_deref(), Some("--device is required"));
    }
}
