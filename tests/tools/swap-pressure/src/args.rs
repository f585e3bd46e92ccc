// SPDX-License-Identifier: GPL-2.0
//! Command-line parsing, by hand to keep the dependency list at libc alone.

use std::time::Duration;

use tool_common::cli::{value, Parsed};

pub const USAGE: &str = "\
usage: swap-pressure --mib N [options]

Forks processes that together dirty N MiB of anonymous memory, more than the machine
has, so it is swapped out; then verifies every page after it is swapped back in.

  --mib N             total anonymous memory over all processes
  --procs P           number of processes, each owning N/P MiB [2]
  --passes K          pass 1 writes every page; each later pass verifies every page
                      and rewrites every second one [2]
  --thp               back the memory with transparent huge pages (MADV_HUGEPAGE)
                      instead of forbidding them (MADV_NOHUGEPAGE)
  --rewriters R       threads per process that keep rewriting their own pages during
                      the passes [0]
  --rewrite-secs T    how long the rewriters run [5]
  --seed S            seed for the page contents [1]
  --help              print this text

A final pass verifies every page once the rewriters are done.
Exit status: 0 all pages verified, 1 mismatch or a process died, 2 usage or setup error.
";

pub struct Config {
    pub mib: u64,
    pub procs: u32,
    pub passes: u32,
    pub thp: bool,
    pub rewriters: usize,
    pub rewrite_time: Duration,
    pub seed: u64,
}

pub fn parse(args: impl IntoIterator<Item = String>) -> Result<Parsed<Config>, String> {
    let mut args = args.into_iter();
    let mut mib = None;
    let mut procs: u32 = 2;
    let mut passes: u32 = 2;
    let mut thp = false;
    let mut rewriters: usize = 0;
    let mut rewrite_secs: u64 = 5;
    let mut seed: u64 = 1;

    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--help" | "-h" => return Ok(Parsed::Help),
            "--mib" => mib = Some(value(&arg, &mut args)?),
            "--procs" => procs = value(&arg, &mut args)?,
            "--passes" => passes = value(&arg, &mut args)?,
            "--thp" => thp = true,
            "--rewriters" => rewriters = value(&arg, &mut args)?,
            "--rewrite-secs" => rewrite_secs = value(&arg, &mut args)?,
            "--seed" => seed = value(&arg, &mut args)?,
            other => return Err(format!("unknown argument '{other}'")),
        }
    }

    let mib: u64 = mib.ok_or("--mib is required")?;
    if mib == 0 || mib.checked_mul(1 << 20).is_none() {
        return Err(format!("--mib must be between 1 and {}", u64::MAX >> 20));
    }
    if procs == 0 {
        return Err("--procs must be at least 1".into());
    }
    if passes == 0 {
        return Err("--passes must be at least 1".into());
    }

    Ok(Parsed::Run(Config {
        mib,
        procs,
        passes,
        thp,
        rewriters,
        rewrite_time: Duration::from_secs(rewrite_secs),
        seed,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_values() {
        let Ok(Parsed::Run(config)) = parse(["--mib", "64"].map(String::from)) else {
            panic!("--mib 64 alone is a valid command line");
        };
        assert_eq!((config.mib, config.procs, config.passes), (64, 2, 2));
        let Ok(Parsed::Run(config)) =
            parse(["--mib", "8", "--procs", "4", "--thp"].map(String::from))
        else {
            panic!("valid command line rejected");
        };
        assert_eq!((config.mib, config.procs, config.thp), (8, 4, true));
        assert!(matches!(
            parse(["--mib", "1", "--help"].map(String::from)),
            Ok(Parsed::Help)
        ));
    }

    #[test]
    fn errors() {
        for (list, msg) in [
            (&[][..], "--mib is required"),
            (
                &["--mib", "0"],
                "--mib must be between 1 and 17592186044415",
            ),
            (
                &["--mib", "1", "--procs", "0"],
                "--procs must be at least 1",
            ),
            (&["--mib"], "--mib needs a value"),
            (&["--mib", "x"], "--mib: invalid value 'x'"),
            (&["--bogus"], "unknown argument '--bogus'"),
        ] {
            let error = parse(list.iter().map(|arg| arg.to_string())).err();
            assert_eq!(error.as_deref(), Some(msg), "{list:?}");
        }
    }
}
