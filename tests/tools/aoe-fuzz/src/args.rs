// SPDX-License-Identifier: GPL-2.0
//! Command-line parsing, by hand to keep the dependency list at libc alone.

use tool_common::cli::{value, Parsed};

pub const USAGE: &str = "\
usage: aoe-fuzz --interface IF [options]

Run on the target's side of an AoE link (the interface vblade serves on). Sniffs the
initiator's requests and the target's answers there and sends forged responses to the
initiator: malformed frames, unknown and reserved tags, late copies of real answers, and
answers to requests in flight that are invalid in length, version, flags or command.

  --interface IF     the target's interface
  --frames N         frames to send [100000]
  --seed S           seed of the mutations [1]
  --no-live-tags     never use the tag of a request in flight (aoe.ko fails a request
                     on a malformed answer to it)
  --settle-ms MS     an answer older than this is late [1000]
  --max-seconds S    give up after this long [300]
  --help             print this text

Prints one line per mutation kind, one per raoe drop reason the frames should hit, and a
total line. Exit status: 0 all frames sent, 1 gave up, 2 usage or setup error.
";

pub struct Config {
    pub interface: String,
    pub frames: u64,
    pub seed: u64,
    /// Whether the kinds in `Kind::STEALING` may take the tag of a request in flight.
    /// aoe.ko does not survive that, by design: it matches a response by its tag alone
    /// (aoecmd.c:1328) and ignores the AoE version (aoenet.c:149); then `ktiocomplete` fails
    /// the request on a runt read (aoecmd.c:1123-1129), copies the first bytes of an
    /// over-long one (aoecmd.c:1139) and takes any reply to a write (aoecmd.c:1142).
    pub live_tags: bool,
    pub settle_ms: u64,
    pub max_seconds: u64,
}

pub fn parse(args: impl IntoIterator<Item = String>) -> Result<Parsed<Config>, String> {
    let mut args = args.into_iter();
    let mut config = Config {
        interface: String::new(),
        frames: 100_000,
        seed: 1,
        live_tags: true,
        settle_ms: 1000,
        max_seconds: 300,
    };
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--help" | "-h" => return Ok(Parsed::Help),
            "--interface" => config.interface = value(&arg, &mut args)?,
            "--frames" => config.frames = value(&arg, &mut args)?,
            "--seed" => config.seed = value(&arg, &mut args)?,
            "--no-live-tags" => config.live_tags = false,
            "--settle-ms" => config.settle_ms = value(&arg, &mut args)?,
            "--max-seconds" => config.max_seconds = value(&arg, &mut args)?,
            other => return Err(format!("unknown argument '{other}'")),
        }
    }
    if config.interface.is_empty() {
        return Err("--interface is required".into());
    }
    Ok(Parsed::Run(config))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_list(list: &[&str]) -> Result<Parsed<Config>, String> {
        parse(list.iter().map(|arg| arg.to_string()))
    }

    #[test]
    fn defaults_and_options() {
        let Ok(Parsed::Run(config)) = parse_list(&["--interface", "veth1"]) else {
            panic!("no run");
        };
        assert_eq!(
            (config.frames, config.seed, config.live_tags),
            (100_000, 1, true)
        );
        let Ok(Parsed::Run(config)) = parse_list(&[
            "--interface",
            "veth1",
            "--no-live-tags",
            "--frames",
            "5",
            "--seed",
            "9",
        ]) else {
            panic!("no run");
        };
        assert_eq!(
            (config.frames, config.seed, config.live_tags),
            (5, 9, false)
        );
    }

    #[test]
    fn errors() {
        assert!(parse_list(&[]).is_err());
        assert!(parse_list(&["--interface", "veth1", "--bogus"]).is_err());
        assert!(matches!(parse_list(&["--help"]), Ok(Parsed::Help)));
    }
}
