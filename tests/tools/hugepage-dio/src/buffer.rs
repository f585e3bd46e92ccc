// SPDX-License-Identifier: GPL-2.0
//! I/O buffers backed by 2 MiB pages, from hugetlbfs or from transparent huge pages.

use std::ffi::c_void;
use std::{fs, io, ptr, slice};

use crate::HUGE_PAGE_SIZE;
use tool_common::os_error::describe;

pub struct HugeBuffer {
    mapping: *mut c_void,
    mapping_len: usize,
    start: *mut u8,
    len: usize,
}

impl HugeBuffer {
    /// `len` must be a non-zero multiple of 2 MiB.
    pub fn hugetlb(len: usize) -> Result<Self, String> {
        let flags =
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_HUGETLB | libc::MAP_HUGE_2MB;
        let mapping = map_anonymous(len, libc::PROT_READ | libc::PROT_WRITE, flags).map_err(|err| {
            format!(
                "mmap MAP_HUGETLB of {} MiB failed: {} (reserve pages via /proc/sys/vm/nr_hugepages)",
                len >> 20,
                describe(&err)
            )
        })?;
        let mut buffer = HugeBuffer {
            mapping,
            mapping_len: len,
            start: mapping.cast(),
            len,
        };
        buffer.touch();
        Ok(buffer)
    }

    /// `len` must be a non-zero multiple of 2 MiB.
    pub fn thp(len: usize) -> Result<Self, String> {
        // Reserve room to align the start to 2 MiB and to leave inaccessible guard pages on
        // both sides: the guards stop the kernel from merging this VMA with a neighbour, so
        // the smaps entry measured later describes this buffer alone.
        let mapping_len = len + 2 * HUGE_PAGE_SIZE;
        let mapping = map_anonymous(
            mapping_len,
            libc::PROT_NONE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
        )
        .map_err(|err| {
            format!(
                "mmap of {} MiB failed: {}",
                mapping_len >> 20,
                describe(&err)
            )
        })?;
        // Rounding up from one byte past the base leaves at least one page below the buffer.
        let start = (mapping as usize + 1).next_multiple_of(HUGE_PAGE_SIZE);
        let mut buffer = HugeBuffer {
            mapping,
            mapping_len,
            start: start as *mut u8,
            len,
        };
        // SAFETY: [start, start + len) lies inside the mapping created above (start is at
        // most 2 MiB past its base, and it is len + 4 MiB long), which nothing else uses.
        let rc =
            unsafe { libc::mprotect(buffer.start.cast(), len, libc::PROT_READ | libc::PROT_WRITE) };
        if rc != 0 {
            return Err(format!(
                "mprotect of the THP buffer failed: {}",
                describe(&io::Error::last_os_error())
            ));
        }
        // SAFETY: same range as above; madvise only changes how the kernel backs it.
        let rc = unsafe { libc::madvise(buffer.start.cast(), len, libc::MADV_HUGEPAGE) };
        if rc != 0 {
            return Err(format!(
                "madvise MADV_HUGEPAGE failed: {} (kernel without CONFIG_TRANSPARENT_HUGEPAGE?)",
                describe(&io::Error::last_os_error())
            ));
        }
        buffer.touch();
        Ok(buffer)
    }

    pub fn as_mut_slice(&mut self) -> &mut [u8] {
        // SAFETY: [start, start + len) is mapped readable and writable for as long as self
        // lives, and the &mut self borrow makes this the only reference to it.
        unsafe { slice::from_raw_parts_mut(self.start, self.len) }
    }

    /// Sum of AnonHugePages over the smaps entries that overlap this buffer, in kB.
    pub fn anon_huge_pages_kib(&self) -> Result<u64, String> {
        let smaps = fs::read_to_string("/proc/self/smaps")
            .map_err(|err| format!("reading /proc/self/smaps failed: {}", describe(&err)))?;
        let start = self.start as usize;
        let end = start + self.len;
        let mut in_buffer = false;
        let mut total_kib = 0;
        for line in smaps.lines() {
            if let Some((vma_start, vma_end)) = vma_range(line) {
                in_buffer = vma_start < end && vma_end > start;
            } else if let Some(value) = line.strip_prefix("AnonHugePages:") {
                if in_buffer {
                    total_kib += parse_kib(value)
                        .ok_or_else(|| format!("unexpected smaps line '{line}'"))?;
                }
            }
        }
        Ok(total_kib)
    }

    /// Faults in every page now, so the backing exists before smaps is read or I/O starts.
    fn touch(&mut self) {
        self.as_mut_slice().fill(0);
    }
}

impl Drop for HugeBuffer {
    fn drop(&mut self) {
        // SAFETY: unmaps exactly the mapping this value created; no slice into it can
        // outlive self because as_mut_slice borrows self.
        unsafe { libc::munmap(self.mapping, self.mapping_len) };
    }
}

fn map_anonymous(len: usize, prot: libc::c_int, flags: libc::c_int) -> io::Result<*mut c_void> {
    // SAFETY: an anonymous mapping at an address of the kernel's choosing cannot alias
    // any memory Rust already knows about.
    let mapping = unsafe { libc::mmap(ptr::null_mut(), len, prot, flags, -1, 0) };
    if mapping == libc::MAP_FAILED {
        Err(io::Error::last_os_error())
    } else {
        Ok(mapping)
    }
}

/// Parses an smaps VMA header such as "7f00c0000000-7f00c0800000 rw-p 00000000 00:00 0".
fn vma_range(line: &str) -> Option<(usize, usize)> {
    let (start, end) = line.split_whitespace().next()?.split_once('-')?;
    Some((
        usize::from_str_radix(start, 16).ok()?,
        usize::from_str_radix(end, 16).ok()?,
    ))
}

fn parse_kib(value: &str) -> Option<u64> {
    value.trim().strip_suffix("kB")?.trim().parse().ok()
}
