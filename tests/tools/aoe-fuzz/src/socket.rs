// SPDX-License-Identifier: GPL-2.0
//! An AF_PACKET raw socket on one interface: whole Ethernet frames in and out.

use std::ffi::CString;
use std::io;
use std::mem;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};

use tool_common::os_error::describe;

/// Room for the sniffed requests and answers while the fuzzer is busy sending.
const RECEIVE_BUFFER_BYTES: libc::c_int = 8 << 20;

pub struct PacketSocket {
    fd: OwnedFd,
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
            return Err(format!(
                "{interface}: {}",
                describe(&io::Error::last_os_error())
            ));
        }
        let all = (libc::ETH_P_ALL as u16).to_be();
        // SAFETY: plain socket(2) call; the result is checked below.
        let raw = unsafe { libc::socket(libc::AF_PACKET, libc::SOCK_RAW, libc::c_int::from(all)) };
        if raw < 0 {
            return Err(format!("socket: {}", describe(&io::Error::last_os_error())));
        }
        // SAFETY: `raw` is a new descriptor that nothing else owns.
        let socket = PacketSocket {
            fd: unsafe { OwnedFd::from_raw_fd(raw) },
        };
        // SAFETY: sockaddr_ll is plain data; all-zero is a valid value.
        let mut address: libc::sockaddr_ll = unsafe { mem::zeroed() };
        address.sll_family = libc::AF_PACKET as u16;
        address.sll_protocol = all;
        address.sll_ifindex = index as libc::c_int;
        // SAFETY: `address` is a valid sockaddr_ll of the length passed.
        let bound = unsafe {
            libc::bind(
                raw,
                (&raw const address).cast(),
                mem::size_of::<libc::sockaddr_ll>() as libc::socklen_t,
            )
        };
        if bound < 0 {
            return Err(format!(
                "bind {interface}: {}",
                describe(&io::Error::last_os_error())
            ));
        }
        let receive_buffer_bytes = RECEIVE_BUFFER_BYTES;
        // SAFETY: the option value is a c_int of the length passed.
        let sized = unsafe {
            libc::setsockopt(
                raw,
                libc::SOL_SOCKET,
                libc::SO_RCVBUFFORCE,
                (&raw const receive_buffer_bytes).cast(),
                mem::size_of::<libc::c_int>() as libc::socklen_t,
            )
        };
        if sized < 0 {
            return Err(format!(
                "SO_RCVBUFFORCE: {}",
                describe(&io::Error::last_os_error())
            ));
        }
        Ok(socket)
    }

    /// Receives one frame into `buf` without waiting; `None` when none is queued.
    pub fn try_receive<'a>(&self, buf: &'a mut [u8]) -> Result<Option<&'a [u8]>, String> {
        // SAFETY: `buf` is writable for its whole length.
        let n = unsafe {
            libc::recv(
                self.fd.as_raw_fd(),
                buf.as_mut_ptr().cast(),
                buf.len(),
                libc::MSG_DONTWAIT | libc::MSG_TRUNC,
            )
        };
        if n < 0 {
            let err = io::Error::last_os_error();
            return match err.kind() {
                io::ErrorKind::WouldBlock | io::ErrorKind::Interrupted => Ok(None),
                _ => Err(format!("recv: {}", describe(&err))),
            };
        }
        // MSG_TRUNC returns the frame's real length; a longer frame than `buf` is cut.
        let len = (n as usize).min(buf.len());
        Ok(Some(&buf[..len]))
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
