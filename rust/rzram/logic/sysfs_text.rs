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
