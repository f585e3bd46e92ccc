// SPDX-License-Identifier: GPL-2.0
//! An AF_PACKET raw socket on one interface: whole Ethernet frames in and out. Frames come in
//! through a receive ring (PACKET_RX_RING), which copies each one as it arrives.
//!
//! A frame waiting on a socket's receive queue holds a reference to the data of the
//! initiator's own skb. aoe.ko reuses a frame's skb only when nobody else holds it, parks it in
//! a pool of 256 otherwise, and takes a parked one only from the pool's head (aoecmd.c:175-189,
//! 234-240). With the pool full and nothing in flight it sets DEVFL_KICKME (aoecmd.c:288-291),
//! which only reruns the hardware queues (aoecmd.c:822-825), whose requests aoe.ko has already
//! taken (aoeblk.c:265-266): a busy sniffer whose queue grows stalls aoe.ko for good (seen
//! here: nskbpool 256, kicked 1, nothing in flight, I/O stuck). The ring holds copies.

use std::ffi::CString;
use std::io;
use std::mem;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::ptr;
use std::sync::atomic::{AtomicU32, Ordering};

use tool_common::os_error::describe;

/// The size of a ring slot: its tpacket2 header plus the longest frame, 1514 bytes.
const RING_FRAME_SIZE: usize = 2048;
/// The size of a ring block, a multiple of the page size and of the slot size.
const RING_BLOCK_SIZE: usize = 4096;
/// Room for the requests and answers that arrive while the fuzzer is busy sending.
const RING_FRAMES: usize = 4096;
const RING_BYTES: usize = RING_FRAME_SIZE * RING_FRAMES;

pub struct PacketSocket {
    fd: OwnedFd,
    ring: *mut u8,
    /// The next slot of the ring to read.
    next: usize,
}

/// The last OS error, described, after `what`.
fn os_error(what: &str) -> String {
    format!("{what}: {}", describe(&io::Error::last_os_error()))
}

impl PacketSocket {
    /// Opens a socket bound to `interface` that sees every frame on it, outgoing ones too:
    /// the target's answers leave through this interface. Frames this socket sends do not come
    /// back to it (the kernel skips the sending socket, `skb_loop_sk`).
    pub fn open(interface: &str) -> Result<PacketSocket, String> {
        let name = CString::new(interface).map_err(|_| format!("bad interface '{interface}'"))?;
        // SAFETY: `name` is a NUL-terminated string that outlives the call.
        let index = unsafe { libc::if_nametoindex(name.as_ptr()) };
        if index == 0 {
            return Err(os_error(interface));
        }
        let all = (libc::ETH_P_ALL as u16).to_be();
        // SAFETY: plain socket(2) call; the result is checked below.
        let raw = unsafe { libc::socket(libc::AF_PACKET, libc::SOCK_RAW, libc::c_int::from(all)) };
        if raw < 0 {
            return Err(os_error("socket"));
        }
        // SAFETY: `raw` is a new descriptor that nothing else owns.
        let fd = unsafe { OwnedFd::from_raw_fd(raw) };
        let version = libc::tpacket_versions::TPACKET_V2 as libc::c_int;
        set_option(&fd, libc::PACKET_VERSION, &version, "PACKET_VERSION")?;
        let request = libc::tpacket_req {
            tp_block_size: RING_BLOCK_SIZE as libc::c_uint,
            tp_block_nr: (RING_BYTES / RING_BLOCK_SIZE) as libc::c_uint,
            tp_frame_size: RING_FRAME_SIZE as libc::c_uint,
            tp_frame_nr: RING_FRAMES as libc::c_uint,
        };
        set_option(&fd, libc::PACKET_RX_RING, &request, "PACKET_RX_RING")?;
        // SAFETY: maps the ring the kernel just allocated for this socket; checked below.
        let ring = unsafe {
            libc::mmap(
                ptr::null_mut(),
                RING_BYTES,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_SHARED,
                fd.as_raw_fd(),
                0,
            )
        };
        if ring == libc::MAP_FAILED {
            return Err(os_error("mmap of the receive ring"));
        }
        let socket = PacketSocket {
            fd,
            ring: ring.cast(),
            next: 0,
        };
        // SAFETY: sockaddr_ll is plain data; all-zero is a valid value.
        let mut address: libc::sockaddr_ll = unsafe { mem::zeroed() };
        address.sll_family = libc::AF_PACKET as u16;
        address.sll_protocol = all;
        address.sll_ifindex = index as libc::c_int;
        // SAFETY: `address` is a valid sockaddr_ll of the length passed.
        let bound = unsafe {
            libc::bind(
                socket.fd.as_raw_fd(),
                (&raw const address).cast(),
                mem::size_of::<libc::sockaddr_ll>() as libc::socklen_t,
            )
        };
        if bound < 0 {
            return Err(os_error(&format!("bind {interface}")));
        }
        Ok(socket)
    }

    /// Passes every frame waiting in the ring to `observe`, oldest first, without waiting.
    pub fn receive_each(&mut self, mut observe: impl FnMut(&[u8])) {
        loop {
            // SAFETY: the slot lies inside the mapping; each starts with a tpacket2_hdr,
            // whose first field, the status, the kernel and we hand the slot over with.
            let slot = unsafe { self.ring.add(self.next * RING_FRAME_SIZE) };
            // SAFETY: as above; the status is a 4-byte aligned u32 shared with the kernel.
            let status = unsafe { &*slot.cast::<AtomicU32>() };
            if status.load(Ordering::Acquire) & libc::TP_STATUS_USER == 0 {
                return;
            }
            // SAFETY: the slot is ours until we give it back below.
            let header = unsafe { ptr::read(slot.cast::<libc::tpacket2_hdr>()) };
            let start = usize::from(header.tp_mac);
            let len = (header.tp_snaplen as usize).min(RING_FRAME_SIZE.saturating_sub(start));
            // SAFETY: the kernel wrote `tp_snaplen` bytes at `tp_mac` inside the slot.
            let frame = unsafe { std::slice::from_raw_parts(slot.add(start), len) };
            observe(frame);
            status.store(libc::TP_STATUS_KERNEL, Ordering::Release);
            self.next = (self.next + 1) % RING_FRAMES;
        }
    }
    /// Sends one whole frame out of the interface.
    pub fn send(&self, frame: &[u8]) -> io::Result<()> {
        // SAFETY: `frame` is readable for its whole length.
        let n = unsafe { libc::send(self.fd.as_raw_fd(), frame.as_ptr().cast(), frame.len(), 0) };
        if n < 0 {
            Err(io::Error::last_os_error())
        } else {
            Ok(())
        }
    }
}

impl Drop for PacketSocket {
    fn drop(&mut self) {
        // SAFETY: `ring` is the mapping of RING_BYTES made in `open`, used by no one after this.
        unsafe { libc::munmap(self.ring.cast(), RING_BYTES) };
    }
}

/// Sets socket option `option` of level SOL_PACKET to `value`.
fn set_option<T>(fd: &OwnedFd, option: libc::c_int, value: &T, name: &str) -> Result<(), String> {
    // SAFETY: `value` points to a T of the length passed.
    let set = unsafe {
        libc::setsockopt(
            fd.as_raw_fd(),
            libc::SOL_PACKET,
            option,
            ptr::from_ref(value).cast(),
            mem::size_of::<T>() as libc::socklen_t,
        )
    };
    if set < 0 {
        return Err(os_error(name));
    }
    Ok(())
}
