// SPDX-License-Identifier: GPL-2.0

//! Parsing what users write to the sysfs attributes and formatting what they read.
//!
//! Pure logic, free of kernel types.

use core::fmt;

/// A size with an optional binary suffix (`K`, `M`, `G`, `T`, `P`, `E`, any case), in
/// decimal, `0x` hex or `0` octal as `memparse` reads it; unlike `memparse`, anything after
/// the suffix but white space, a sign, or an overflow is refused.
pub fn parse_size(text: &str) -> Option<u64> {
    let text = text.trim();
    let (digits, shift) = match text.char_indices().next_back()? {
        (end, 'k' | 'K') => (text.get(..end)?, 10),
        (end, 'm' | 'M') => (text.get(..end)?, 20),
        (end, 'g' | 'G') => (text.get(..end)?, 30),
        (end, 't' | 'T') => (text.get(..end)?, 40),
        (end, 'p' | 'P') => (text.get(..end)?, 50),
        (end, 'e' | 'E') if !is_hex(text) => (text.get(..end)?, 60),
        _ => (text, 0),
    };
    let value = parse_number(digits)?;
    let scaled = value.checked_shl(shift)?;
    (scaled >> shift == value).then_some(scaled)
}

/// Whether `text` is a `0x` hex number, whose `e` is a digit rather than a suffix.
fn is_hex(text: &str) -> bool {
    text.starts_with("0x") || text.starts_with("0X")
}

/// An unsigned number in decimal, `0x` hex or `0` octal.
fn parse_number(text: &str) -> Option<u64> {
    let (digits, radix) = if is_hex(text) {
        (text.get(2..)?, 16)
    } else if text.len() > 1 && text.starts_with('0') {
        (text.get(1..)?, 8)
    } else {
        (text, 10)
    };
    if digits.is_empty() || !digits.bytes().all(|b| (b as char).is_digit(radix)) {
        return None;
    }
    u64::from_str_radix(digits, radix).ok()
}

/// An unsigned decimal number with optional surrounding white space (`kstrtoul`).
pub fn parse_decimal(text: &str) -> Option<u64> {
    let text = text.trim();
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// A switch: `0` or `1` with optional surrounding white space, nothing else.
pub fn parse_switch(text: &str) -> Option<bool> {
    match text.trim() {
        "0" => Some(false),
        "1" => Some(true),
        _ => None,
    }
}

/// A boolean as `kstrtobool` reads it: by its first character (`y`, `t`, `1` or `n`, `f`, `0`,
/// any case), or its first two (`on`, `of`); the rest is not looked at.
pub fn parse_bool(text: &str) -> Option<bool> {
    let bytes = text.as_bytes();
    match bytes.first()?.to_ascii_lowercase() {
        b'y' | b't' | b'1' => Some(true),
        b'n' | b'f' | b'0' => Some(false),
        b'o' => match bytes.get(1)?.to_ascii_lowercase() {
            b'n' => Some(true),
            b'f' => Some(false),
            _ => None,
        },
        _ => None,
    }
}

/// Why a write to an attribute was refused, as an errno.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum TextError {
    /// `EINVAL`.
    Invalid,
    /// `ERANGE`: a number that does not fit (`kstrtoint`).
    OutOfRange,
}

/// An unsigned decimal number as `kstrtoull(text, 10, ...)` reads it: an optional `+`, digits,
/// an optional newline.
pub fn parse_unsigned(text: &str) -> Result<u64, TextError> {
    let text = text.strip_suffix('\n').unwrap_or(text);
    let digits = text.strip_prefix('+').unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(TextError::Invalid);
    }
    digits.parse().map_err(|_| TextError::OutOfRange)
}

/// A decimal `int` as `kstrtoint(text, 10, ...)` reads it: an optional sign, digits, an
/// optional newline.
pub fn parse_int(text: &str) -> Result<i32, TextError> {
    let text = text.strip_suffix('\n').unwrap_or(text);
    let digits = text.strip_prefix(['+', '-']).unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(TextError::Invalid);
    }
    text.parse().map_err(|_| TextError::OutOfRange)
}

/// The next `param=value` of `args` as the kernel's `next_arg` (lib/cmdline.c) splits them: at
/// white space outside double quotes, the quotes around a value or the whole argument left
/// out. Returns the parameter, its value (`None` without `=`) and the rest, without leading
/// white space.
pub fn next_arg(args: &str) -> (&str, Option<&str>, &str) {
    let (args, quoted) = match args.strip_prefix('"') {
        Some(rest) => (rest, true),
        None => (args, false),
    };
    let mut in_quote = quoted;
    let mut equals = None;
    let mut end = args.len();
    for (i, c) in args.char_indices() {
        if c.is_ascii_whitespace() && !in_quote {
            end = i;
            break;
        }
        if equals.is_none() && c == '=' && i > 0 {
            equals = Some(i);
        }
        if c == '"' {
            in_quote = !in_quote;
        }
    }
    let arg = &args[..end];
    let rest = args[end..].trim_start_matches(|c: char| c.is_ascii_whitespace());
    match equals {
        None if quoted => (without_closing_quote(arg), None, rest),
        None => (arg, None, rest),
        Some(at) => {
            let value = &arg[at + 1..];
            let value = match value.strip_prefix('"') {
                Some(inner) => without_closing_quote(inner),
                None if quoted => without_closing_quote(value),
                None => value,
            };
            (&arg[..at], Some(value), rest)
        }
    }
}

/// Calls `f` with each `param=value` of `text`, split as [`next_arg`] splits them; `EINVAL` for
/// a parameter without a value, as zram's attribute parsers refuse it.
fn for_each_param<'a>(
    text: &'a str,
    mut f: impl FnMut(&'a str, &'a str) -> Result<(), TextError>,
) -> Result<(), TextError> {
    let mut args = text.trim_start_matches(|c: char| c.is_ascii_whitespace());
    while !args.is_empty() {
        let (param, value, rest) = next_arg(args);
        args = rest;
        f(
            param,
            value
                .filter(|value| !value.is_empty())
                .ok_or(TextError::Invalid)?,
        )?;
    }
    Ok(())
}

/// `text` without a closing double quote.
fn without_closing_quote(text: &str) -> &str {
    text.strip_suffix('"').unwrap_or(text)
}

/// A write to `algorithm_params` (zram_drv.c `algorithm_params_store`), read but not yet
/// checked against the device: `priority=`, `level=`, `algo=`, `dict=` (a file's path). Other
/// parameters are ignored as zram ignores them (`deflate.winbits=` is still read as a number).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct AlgorithmParams<'a> {
    /// The priority of the algorithm they are for: 0 the primary, 1 to 3 recompression.
    pub priority: Option<i32>,
    /// The algorithm's level.
    pub level: Option<i32>,
    /// The algorithm they are for, by name.
    pub algo: Option<&'a str>,
    /// The path of a dictionary file.
    pub dict: Option<&'a str>,
}

/// Reads a write to `algorithm_params`: `EINVAL` for a parameter without a value, `EINVAL` or
/// `ERANGE` for a number `kstrtoint` refuses.
pub fn parse_algorithm_params(text: &str) -> Result<AlgorithmParams<'_>, TextError> {
    let mut params = AlgorithmParams::default();
    for_each_param(text, |param, value| {
        match param {
            "priority" => params.priority = Some(parse_int(value)?),
            "level" => params.level = Some(parse_int(value)?),
            "algo" => params.algo = Some(value),
            "dict" => params.dict = Some(value),
            "deflate.winbits" => {
                parse_int(value)?;
            }
            _ => {}
        }
        Ok(())
    })?;
    Ok(params)
}

/// A write to `idle` (zram_drv.c `idle_store`): every stored page, or those not accessed for
/// that many seconds.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum IdleRequest {
    /// `all`.
    All,
    /// A number (`kstrtouint` base 0: decimal, `0x` hex or `0` octal): the age in seconds.
    OlderThan(u32),
}

/// Reads a write to `idle`; `None` (`EINVAL`) for anything else.
pub fn parse_idle(text: &str) -> Option<IdleRequest> {
    let text = text.strip_suffix('\n').unwrap_or(text);
    if text == "all" {
        return Some(IdleRequest::All);
    }
    let text = text.strip_prefix('+').unwrap_or(text);
    let (digits, radix) =
        if let Some(hex) = text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
            (hex, 16)
        } else if text.len() > 1 && text.starts_with('0') {
            (&text[1..], 8)
        } else {
            (text, 10)
        };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    u32::from_str_radix(digits, radix)
        .ok()
        .map(IdleRequest::OlderThan)
}

/// Which pages a writeback takes (zram_drv.c `parse_mode`): every stored page but those of
/// one repeated word, or only the huge, idle, huge and idle, or incompressible ones.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum WritebackMode {
    /// Every stored page (`page_index=`, `page_indexes=` without a type).
    Any,
    /// `huge`.
    Huge,
    /// `idle`.
    Idle,
    /// `huge_idle`.
    HugeIdle,
    /// `incompressible`.
    Incompressible,
}

impl WritebackMode {
    fn parse(name: &str) -> Result<Self, TextError> {
        match name {
            "huge" => Ok(WritebackMode::Huge),
            "idle" => Ok(WritebackMode::Idle),
            "huge_idle" => Ok(WritebackMode::HugeIdle),
            "incompressible" => Ok(WritebackMode::Incompressible),
            _ => Err(TextError::Invalid),
        }
    }

    /// Whether a page with these flags is taken.
    pub fn takes(self, huge: bool, idle: bool, incompressible: bool) -> bool {
        match self {
            WritebackMode::Any => true,
            WritebackMode::Huge => huge,
            WritebackMode::Idle => idle,
            WritebackMode::HugeIdle => huge && idle,
            WritebackMode::Incompressible => incompressible,
        }
    }
}

/// The pages `first..end` in one mode: one scan of zram's `writeback_store`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct WritebackScan {
    /// Which pages it takes.
    pub mode: WritebackMode,
    /// The first page.
    pub first: u64,
    /// After the last page.
    pub end: u64,
}

/// Reads a write to `writeback` for a device of `pages` pages as zram's `writeback_store`
/// does, and passes each scan it asks for to `scan`, in order: `page_index=N` and
/// `page_indexes=A-B` each scan their pages in any mode and continue; `type=MODE` or a bare
/// `MODE` (the old syntax) scans the last range given (the whole device without one) in that
/// mode and ends the arguments; other parameters with a value are ignored. `EINVAL` for an
/// unknown mode or a malformed number, `ERANGE` for a page beyond the device or a range
/// backwards. On an error the caller must act on none of the scans.
pub fn parse_writeback(
    text: &str,
    pages: u64,
    mut scan: impl FnMut(WritebackScan),
) -> Result<(), TextError> {
    let page = |text: &str| {
        let index = parse_unsigned(text)?;
        if index < pages {
            Ok(index)
        } else {
            Err(TextError::OutOfRange)
        }
    };
    let (mut first, mut end) = (0, pages);
    let mut args = text.trim_start_matches(|c: char| c.is_ascii_whitespace());
    while !args.is_empty() {
        let (param, value, rest) = next_arg(args);
        args = rest;
        let mode = match (param, value) {
            (mode, None | Some("")) => Some(WritebackMode::parse(mode)?),
            ("type", Some(mode)) => Some(WritebackMode::parse(mode)?),
            ("page_index", Some(index)) => {
                first = page(index)?;
                end = first + 1;
                None
            }
            ("page_indexes", Some(range)) => {
                let (low, high) = range.split_once('-').ok_or(TextError::Invalid)?;
                let low = page(low)?;
                let high = page(high)?;
                if low > high {
                    return Err(TextError::OutOfRange);
                }
                (first, end) = (low, high + 1);
                None
            }
            _ => continue,
        };
        scan(WritebackScan {
            mode: mode.unwrap_or(WritebackMode::Any),
            first,
            end,
        });
        if mode.is_some() {
            break;
        }
    }
    Ok(())
}

/// A write to `recomp_algorithm` (zram_drv.c `recomp_algorithm_store`): `algo=` (required)
/// and `priority=` (1 unless given; the device checks its range).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct RecompAlgorithm<'a> {
    /// The algorithm's name.
    pub algo: &'a str,
    /// Its priority.
    pub priority: i32,
}

/// Reads a write to `recomp_algorithm`: `EINVAL` for a parameter without a value or no
/// `algo=`, `EINVAL` or `ERANGE` for a priority `kstrtoint` refuses; other parameters are
/// ignored.
pub fn parse_recomp_algorithm(text: &str) -> Result<RecompAlgorithm<'_>, TextError> {
    let (mut algo, mut priority) = (None, 1);
    for_each_param(text, |param, value| {
        match param {
            "algo" => algo = Some(value),
            "priority" => priority = parse_int(value)?,
            _ => {}
        }
        Ok(())
    })?;
    Ok(RecompAlgorithm {
        algo: algo.ok_or(TextError::Invalid)?,
        priority,
    })
}

/// Which pages a recompression takes (zram's `RECOMPRESS_IDLE`, `RECOMPRESS_HUGE`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum RecompressMode {
    /// Every page compressed by an algorithm of a lower priority.
    Any,
    /// `type=idle`.
    Idle,
    /// `type=huge`.
    Huge,
    /// `type=huge_idle`.
    HugeIdle,
}

impl RecompressMode {
    /// Whether a page with these flags is taken.
    pub fn takes(self, huge: bool, idle: bool) -> bool {
        match self {
            RecompressMode::Any => true,
            RecompressMode::Idle => idle,
            RecompressMode::Huge => huge,
            RecompressMode::HugeIdle => huge && idle,
        }
    }
}

/// A write to `recompress` (zram_drv.c `recompress_store`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct RecompressRequest<'a> {
    /// Which pages.
    pub mode: RecompressMode,
    /// At most this many pages tried (`max_pages=`).
    pub max_pages: Option<u64>,
    /// Only objects of at least this many bytes, and a result must be smaller (`threshold=`;
    /// 0: any).
    pub threshold: u32,
    /// The algorithm, by name (`algo=`).
    pub algo: Option<&'a str>,
    /// The algorithm, by priority (`priority=`).
    pub priority: Option<i32>,
}

/// Reads a write to `recompress`: `EINVAL` for a parameter without a value or a type never
/// valid, `EINVAL` or `ERANGE` for a number the kernel's parsers refuse; other parameters are
/// ignored. As zram, a later unknown type keeps an earlier valid one.
pub fn parse_recompress(text: &str) -> Result<RecompressRequest<'_>, TextError> {
    let mut request = RecompressRequest {
        mode: RecompressMode::Any,
        max_pages: None,
        threshold: 0,
        algo: None,
        priority: None,
    };
    let mut mode = None;
    for_each_param(text, |param, value| {
        match param {
            "type" => {
                let parsed = match value {
                    "idle" => Some(RecompressMode::Idle),
                    "huge" => Some(RecompressMode::Huge),
                    "huge_idle" => Some(RecompressMode::HugeIdle),
                    _ => None,
                };
                mode = Some(parsed.or(mode).ok_or(TextError::Invalid)?);
            }
            "max_pages" => request.max_pages = Some(parse_unsigned(value)?),
            "threshold" => {
                request.threshold =
                    u32::try_from(parse_unsigned(value)?).map_err(|_| TextError::OutOfRange)?
            }
            "algo" => request.algo = Some(value),
            "priority" => request.priority = Some(parse_int(value)?),
            _ => {}
        }
        Ok(())
    })?;
    request.mode = mode.unwrap_or(RecompressMode::Any);
    Ok(request)
}

/// What debugfs `block_state` shows of a stored page.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct BlockState {
    /// Seconds since boot at its last access.
    pub access_time: u32,
    /// Stored as its fill word.
    pub same: bool,
    /// Stored raw: it did not compress enough.
    pub huge: bool,
    /// Not accessed since the last `idle` marking.
    pub idle: bool,
    /// On the backing device.
    pub written_back: bool,
    /// Compressed by a recompression algorithm.
    pub recompressed: bool,
    /// No algorithm compressed it well enough.
    pub incompressible: bool,
}

/// The `block_state` line of page `index`, as zram's `read_block_state` prints it: index, access
/// time, then the flags s (same-filled), w (written back), h (huge), i (idle), r (recompressed),
/// n (incompressible), `.` where unset.
pub fn write_block_state_line(
    out: &mut impl fmt::Write,
    index: u64,
    state: &BlockState,
) -> fmt::Result {
    let flag = |set: bool, c: char| if set { c } else { '.' };
    writeln!(
        out,
        "{index:12} {:12}.000000 {}{}{}{}{}{}",
        state.access_time,
        flag(state.same, 's'),
        flag(state.written_back, 'w'),
        flag(state.huge, 'h'),
        flag(state.idle, 'i'),
        flag(state.recompressed, 'r'),
        flag(state.incompressible, 'n'),
    )
}

/// Writes `names` separated by spaces, with `current` in brackets, and a newline: the
/// format of zram's `comp_algorithm`.
pub fn write_choices<'a>(
    out: &mut impl fmt::Write,
    names: impl Iterator<Item = &'a str>,
    current: &str,
) -> fmt::Result {
    for (i, name) in names.enumerate() {
        let sep = if i == 0 { "" } else { " " };
        if name == current {
            write!(out, "{sep}[{name}]")?;
        } else {
            write!(out, "{sep}{name}")?;
        }
    }
    out.write_str("\n")
}

/// A `fmt::Write` into a fixed buffer (a sysfs page); fails rather than truncating.
pub struct BufWriter<'a> {
    buf: &'a mut [u8],
    len: usize,
}

impl<'a> BufWriter<'a> {
    /// An empty writer into `buf`.
    pub fn new(buf: &'a mut [u8]) -> Self {
        Self { buf, len: 0 }
    }

    /// The bytes written so far.
    pub fn written(&self) -> usize {
        self.len
    }
}

impl fmt::Write for BufWriter<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let end = self.len.checked_add(s.len()).ok_or(fmt::Error)?;
        let dst = self.buf.get_mut(self.len..end).ok_or(fmt::Error)?;
        for (d, b) in dst.iter_mut().zip(s.bytes()) {
            *d = b;
        }
        self.len = end;
        Ok(())
    }
}
