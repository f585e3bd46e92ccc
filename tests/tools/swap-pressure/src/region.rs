// SPDX-License-Identifier: GPL-2.0
//! The private anonymous memory a process dirties.

use std::ffi::c_void;
use std::{io, ptr, slice};

use tool_common::os_error::describe;

const HUGE_PAGE_SIZE: usize = 2 << 20;

pub struct AnonRegion {
    mapping: *mut c_void,
    mapping_len: usize,
    start: *mut u8,
    len: usize,
}

impl AnonRegion {
    /// With `thp`, the region starts on a 2 MiB boundary and asks for huge pages;
    /// otherwise huge pages are refused, so only 4 KiB pages are swapped.
    pub fn new(len: usize, thp: bool) -> Result<Self, String> {
        let mapping_len = if thp { len + HUGE_PAGE_SIZE } else { len };
        // SAFETY: an anonymous mapping at an address of the kernel's choosing cannot alias
        // any memory Rust already knows about.
        let mapping = unsafe {
            libc::mmap(
                ptr::null_mut(),
                mapping_len,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
                -1,
                0,
            )
        };
        if mapping == libc::MAP_FAILED {
            return Err(format!(
                "mmap of {} MiB of anonymous memory failed: {}",
                mapping_len >> 20,
                describe(&io::Error::last_os_error())
            ));
        }
        let start = if thp {
            (mapping as usize).next_multiple_of(HUGE_PAGE_SIZE)
        } else {
            mapping as usize
        };
        let region = AnonRegion {
            mapping,
            mapping_len,
            start: start as *mut u8,
            len,
        };

        let advice = if thp {
            libc::MADV_HUGEPAGE
        } else {
            libc::MADV_NOHUGEPAGE
        };
        // SAFETY: [start, start + len) lies inside the mapping created above; madvise only
        // changes how the kernel backs it.
        if unsafe { libc::madvise(region.start.cast(), len, advice) } != 0 {
            let err = io::Error::last_os_error();
            // A kernel without THP rejects both pieces of advice with EINVAL; refusing huge
            // pages there is moot, asking for them is not.
            if thp || err.raw_os_error() != Some(libc::EINVAL) {
                let name = if thp {
                    "MADV_HUGEPAGE"
                } else {
                    "MADV_NOHUGEPAGE"
                };
                return Err(format!("madvise {name} failed: {}", describe(&err)));
            }
        }
        Ok(region)
    }

    pub fn as_mut_slice(&mut self) -> &mut [u8] {
        // SAFETY: [start, start + len) is mapped readable and writable for as long as self
        // lives, and the &mut self borrow makes this the only reference to it.
        unsafe { slice::from_raw_parts_mut(self.start, self.len) }
    }
}

impl Drop for AnonRegion {
    fn drop(&mut self) {
        // SAFETY: unmaps exactly the mapping this value created; no slice into it can
        // outlive self because as_mut_slice borrows self.
        unsafe { libc::munmap(self.mapping, self.mapping_len) };
    }
}
