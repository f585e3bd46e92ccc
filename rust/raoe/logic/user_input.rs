// SPDX-License-Identifier: GPL-2.0

//! Parsing what users write to the nodes in /dev/etherd and to the `aoe_iflist` parameter.
//!
//! Device names must match whole: aoe.ko compares only the written length, so flushing `e1.1`
//! also removes `e1.10` (aoedev.c:254-270), and revalidate's `sscanf` ignores what follows the
//! numbers (aoechr.c:100-105).

/// The bytes that separate names in lists: aoe.ko's `WHITESPACE` (aoe.h:15) plus `\r`.
const SEPARATORS: &[u8] = b" \t\x0b\x0c\n\r,";
/// The size of aoe.ko's interface list buffer; a list must be shorter (aoenet.c:98-101).
pub const INTERFACE_LIST_SIZE: usize = 1024;
/// The longest interface name, `IFNAMSIZ - 1`.
pub const INTERFACE_NAME_MAX: usize = 15;

/// Whether `byte` separates names.
fn is_separator(byte: u8) -> bool {
    SEPARATORS.contains(&byte)
}

/// `input` up to its first NUL, as C reads a string.
pub fn until_nul(input: &[u8]) -> &[u8] {
    input.split(|&byte| byte == 0).next().unwrap_or_default()
}

/// Parses a decimal number of at most `max` in canonical form: digits only, no leading zero.
fn parse_decimal(digits: &[u8], max: u32) -> Option<u32> {
    if digits.is_empty() || (digits.len() > 1 && digits.first() == Some(&b'0')) {
        return None;
    }
    digits.iter().try_fold(0u32, |value, &digit| {
        value
            .checked_mul(10)?
            .checked_add(char::from(digit).to_digit(10)?)
            .filter(|&value| value <= max)
    })
}

/// Parses one device name, `e<shelf>.<slot>`, with nothing before or after.
fn parse_name(name: &[u8]) -> Option<(u16, u8)> {
    let rest = name.strip_prefix(b"e")?;
    let dot = rest.iter().position(|&byte| byte == b'.')?;
    let (shelf, slot) = rest.split_at_checked(dot)?;
    let slot = slot.get(1..)?;
    let shelf = u16::try_from(parse_decimal(shelf, u32::from(u16::MAX))?).ok()?;
    let slot = u8::try_from(parse_decimal(slot, u32::from(u8::MAX))?).ok()?;
    Some((shelf, slot))
}

/// Parses a device name as written to `revalidate` or `flush`, such as `b"e1.10\n"`.
///
/// The whole input must be the name, except for trailing whitespace and NULs; numbers are
/// decimal without leading zeros, the shelf at most 65535 and the slot at most 255.
pub fn parse_device_name(input: &[u8]) -> Option<(u16, u8)> {
    let end = input
        .iter()
        .rposition(|&byte| byte != 0 && !byte.is_ascii_whitespace())
        .map_or(0, |last| last + 1);
    parse_name(input.get(..end)?)
}

/// The names in a list, separated by runs of whitespace and commas, up to the first NUL.
#[derive(Clone, Debug)]
pub struct Names<'a> {
    /// What is left to split.
    rest: &'a [u8],
}

impl<'a> Names<'a> {
    /// Splits `input`.
    pub fn new(input: &'a [u8]) -> Self {
        Names {
            rest: until_nul(input),
        }
    }
}

impl<'a> Iterator for Names<'a> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        let start = self.rest.iter().position(|&byte| !is_separator(byte))?;
        let rest = self.rest.get(start..)?;
        let len = rest
            .iter()
            .position(|&byte| is_separator(byte))
            .unwrap_or(rest.len());
        let (name, rest) = rest.split_at_checked(len)?;
        self.rest = rest;
        Some(name)
    }
}

/// What a write to /dev/etherd/flush asks for (aoedev.c:254-402).
#[derive(Clone, Debug)]
pub enum FlushRequest<'a> {
    /// Fewer than 3 bytes or no name, as `echo > flush`: remove the unused devices that are down.
    Down,
    /// `all`: remove every unused device, up or down.
    All,
    /// Remove these devices, even if open; every name in the list is valid.
    Devices(DeviceNames<'a>),
}

/// A list of device names that all parse; iterates over `(shelf, slot)`.
#[derive(Clone, Debug)]
pub struct DeviceNames<'a> {
    /// The names.
    names: Names<'a>,
}

impl Iterator for DeviceNames<'_> {
    type Item = (u16, u8);

    fn next(&mut self) -> Option<(u16, u8)> {
        self.names.next().and_then(parse_name)
    }
}

/// Classifies a write to /dev/etherd/flush; `None` if a name in a list is not a device name.
///
/// As in aoe.ko, a write shorter than 3 bytes flushes the devices that are down, and so does one
/// of only separators, which aoe.ko would read as a device name. `all` must be
/// the whole input, trailing whitespace aside, where aoe.ko takes any input starting with it.
/// Any other input is a list of device names, of which aoe.ko reads only one.
pub fn parse_flush(input: &[u8]) -> Option<FlushRequest<'_>> {
    let mut names = Names::new(input);
    let first = names.clone().next();
    if input.len() < 3 || first.is_none() {
        return Some(FlushRequest::Down);
    }
    if first == Some(b"all".as_slice()) && names.clone().nth(1).is_none() {
        return Some(FlushRequest::All);
    }
    if !names.all(|name| parse_name(name).is_some()) {
        return None;
    }
    Some(FlushRequest::Devices(DeviceNames {
        names: Names::new(input),
    }))
}

/// Why an interface list was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InterfaceListError {
    /// The list is `INTERFACE_LIST_SIZE` bytes or longer.
    TooLong,
    /// A name is longer than `INTERFACE_NAME_MAX`.
    NameTooLong,
}

/// A checked list of the interfaces AoE may use, as written to `aoe_iflist` or `interfaces`.
#[derive(Clone, Debug)]
pub struct InterfaceList<'a> {
    /// The list, up to its first NUL.
    list: &'a [u8],
}

impl<'a> InterfaceList<'a> {
    /// Checks a list: shorter than 1024 bytes (aoenet.c:98-110) and no name over 15 bytes.
    pub fn parse(input: &'a [u8]) -> Result<Self, InterfaceListError> {
        if input.len() >= INTERFACE_LIST_SIZE {
            return Err(InterfaceListError::TooLong);
        }
        if Names::new(input).any(|name| name.len() > INTERFACE_NAME_MAX) {
            return Err(InterfaceListError::NameTooLong);
        }
        Ok(InterfaceList {
            list: until_nul(input),
        })
    }

    /// The names in the list.
    pub fn names(&self) -> Names<'a> {
        Names::new(self.list)
    }

    /// Whether AoE may use interface `name`: any name if the list is empty (aoenet.c:78-96).
    ///
    /// `name` may carry the NUL padding of a kernel interface name.
    pub fn allows(&self, name: &[u8]) -> bool {
        let name = until_nul(name);
        let mut names = self.names().peekable();
        names.peek().is_none() || names.any(|listed| listed == name)
    }
}

/// Unique names written comma-separated into a NUL-padded buffer, as aoe.ko's `netif`
/// attribute lists interfaces (aoeblk.c:70-91); a name that does not fit is left out.
pub struct NameList<'a> {
    /// The buffer.
    buf: &'a mut [u8],
    /// The bytes used.
    len: usize,
}

impl<'a> NameList<'a> {
    /// An empty list over `buf`.
    pub fn new(buf: &'a mut [u8]) -> Self {
        NameList { buf, len: 0 }
    }

    /// Adds `name` unless the list has it or it does not fit.
    pub fn add(&mut self, name: &[u8]) {
        let used = self.buf.get(..self.len).unwrap_or_default();
        if self.len != 0
            && used
                .split(|&byte| byte == b',')
                .any(|listed| listed == name)
        {
            return;
        }
        let start = if self.len == 0 { 0 } else { self.len + 1 };
        let end = start + name.len();
        let Some(out) = self.buf.get_mut(start..end) else {
            return;
        };
        out.copy_from_slice(name);
        if let Some(comma) = self.buf.get_mut(self.len).filter(|_| start != 0) {
            *comma = b',';
        }
        self.len = end;
    }
}
