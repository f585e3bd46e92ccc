// SPDX-License-Identifier: GPL-2.0
//! Command-line plumbing shared by the tools: hand-written parsers built on [`value`]
//! return a [`Parsed`], and [`main`] turns it into a run and an exit status.
//!
//! Exit status convention: 0 success, 1 the check failed (the tool's run decides), 2 usage
//! or setup error.

use std::process::ExitCode;
use std::str::FromStr;

/// What a successful parse of the command line asks for.
pub enum Parsed<T> {
    /// Run with this configuration.
    Run(T),
    /// Print the usage text and exit successfully.
    Help,
}

/// Takes the value following `option` from `args` and parses it; the error names the
/// option and, for a value that does not parse, the value.
pub fn value<T: FromStr>(
    option: &str,
    args: &mut impl Iterator<Item = String>,
) -> Result<T, String> {
    let raw = args
        .next()
        .ok_or_else(|| format!("{option} needs a value"))?;
    raw.parse()
        .map_err(|_| format!("{option}: invalid value '{raw}'"))
}

/// The body of a tool's `main`. Prints `usage` and exits with 0 for [`Parsed::Help`].
/// Reports a parse error as "# NAME: msg (see --help)" on stderr and exits with 2. Runs
/// `run` with the configuration otherwise; an error it returns is a setup error, reported
/// as "# NAME: msg" on stderr with exit status 2.
pub fn main<T>(
    name: &str,
    usage: &str,
    parsed: Result<Parsed<T>, String>,
    run: impl FnOnce(T) -> Result<ExitCode, String>,
) -> ExitCode {
    match parsed {
        Ok(Parsed::Run(config)) => run(config).unwrap_or_else(|msg| {
            eprintln!("# {name}: {msg}");
            ExitCode::from(2)
        }),
        Ok(Parsed::Help) => {
            print!("{usage}");
            ExitCode::SUCCESS
        }
        Err(msg) => {
            eprintln!("# {name}: {msg} (see --help)");
            ExitCode::from(2)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args<'a>(list: &'a [&str]) -> impl Iterator<Item = String> + 'a {
        list.iter().map(|arg| arg.to_string())
    }

    #[test]
    fn value_takes_and_parses_the_next_argument() {
        let mut rest = args(&["12", "--next"]);
        assert_eq!(value::<u32>("--count", &mut rest), Ok(12));
        assert_eq!(rest.next().as_deref(), Some("--next"));
    }

    #[test]
    fn value_errors_name_the_option() {
        assert_eq!(
            value::<u32>("--count", &mut args(&[])),
            Err("--count needs a value".to_string())
        );
        assert_eq!(
            value::<u32>("--count", &mut args(&["-1"])),
            Err("--count: invalid value '-1'".to_string())
        );
    }

    #[test]
    fn main_exit_statuses() {
        let ran = |parsed: Result<Parsed<u8>, String>| {
            let mut ran_with = None;
            let code = main("tool", "usage\n", parsed, |config| {
                ran_with = Some(config);
                Ok(ExitCode::from(config))
            });
            (code, ran_with)
        };
        assert_eq!(ran(Ok(Parsed::Run(1))), (ExitCode::from(1), Some(1)));
        assert_eq!(ran(Ok(Parsed::Help)), (ExitCode::SUCCESS, None));
        assert_eq!(ran(Err("bad".into())), (ExitCode::from(2), None));
        let setup_error = main("tool", "", Ok(Parsed::Run(())), |()| Err("no".into()));
        assert_eq!(setup_error, ExitCode::from(2));
    }
}
