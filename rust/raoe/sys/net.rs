// SPDX-License-Identifier: GPL-2.0

//! Packet reception, frame transmission and the interface walk, over the C glue in `net.c`.
//!
//! C headers: [`include/linux/netdevice.h`](srctree/include/linux/netdevice.h),
//! [`include/linux/skbuff.h`](srctree/include/linux/skbuff.h).

use crate::sys::pages::PinnedFrags;
use core::{
    mem::ManuallyDrop,
    ptr::NonNull, //
};
use kernel::{
    ffi::{
        c_char,
        c_int,
        c_uint,
        c_void, //
    },
    prelude::*,
    sync::Arc,
    types::ForeignOwnable, //
};

/// The shim's declarations under the names this file uses.
mod glue {
    pub(super) use crate::sys::shims::{
        raoe_netdev_for_each,
        raoe_packet_handler as RawPacketHandler,
        raoe_packet_register,
        raoe_packet_unregister,
        raoe_xmit_copy,
        raoe_xmit_frags, //
    };
}

/// Something that takes the frames of one EtherType.
pub(crate) trait FrameReceiver: Send + Sync + 'static {
    /// Handles one received frame, Ethernet header included; runs in softirq context.
    fn receive(&self, frame: &[u8], ifindex: i32);
}

/// A registered packet handler; dropping it unregisters it and waits for calls in flight.
///
/// # Invariants
///
/// `ctx` is a reference of `receiver` made foreign ([`ForeignOwnable::into_foreign`]) and
/// taken back only by `drop`. `raw` was returned by `raoe_packet_register` with `ctx` as context
/// and stays registered until `drop`, which takes `ctx` back after unregistering.
pub(crate) struct PacketHandler<T: FrameReceiver> {
    raw: NonNull<glue::RawPacketHandler>,
    ctx: *mut c_void,
    receiver: Arc<T>,
}

// SAFETY: `raw` is only touched by `drop`, and the receiver is `Send + Sync`.
unsafe impl<T: FrameReceiver> Send for PacketHandler<T> {}
// SAFETY: `&PacketHandler` gives access to nothing but the `Sync` receiver.
unsafe impl<T: FrameReceiver> Sync for PacketHandler<T> {}

impl<T: FrameReceiver> PacketHandler<T> {
    /// Delivers every received frame of `ethertype` to `receiver`.
    pub(crate) fn register(ethertype: u16, receiver: Arc<T>) -> Result<Self> {
        let ctx = receiver.clone().into_foreign();
        // SAFETY: `rx::<T>` has the C callback's signature and borrows `ctx` as an `Arc<T>`,
        // which the returned handler keeps until it unregisters.
        let raw = unsafe { glue::raoe_packet_register(ethertype, Some(Self::rx), ctx) };
        let Some(raw) = NonNull::new(raw) else {
            // SAFETY: `ctx` came from `into_foreign` above and nothing is registered with it.
            drop(unsafe { Arc::<T>::from_foreign(ctx) });
            return Err(ENOMEM);
        };
        // INVARIANT: `raw` is registered with the foreign `ctx` as context.
        Ok(Self { raw, ctx, receiver })
    }

    /// The receive callback `net.c` calls in softirq context.
    ///
    /// # Safety
    ///
    /// `ctx` is the context given at registration and `frame` points to `len` readable bytes
    /// for the duration of the call.
    unsafe extern "C" fn rx(ctx: *mut c_void, frame: *const u8, len: c_uint, ifindex: c_int) {
        // SAFETY: By the type invariant `ctx` is a foreign `Arc<T>`, taken back only after the
        // handler is unregistered and no call is running.
        let receiver = unsafe { <Arc<T> as ForeignOwnable>::borrow(ctx) };
        let Ok(len) = usize::try_from(len) else {
            return;
        };
        // SAFETY: The caller guarantees `len` readable bytes at `frame`.
        let frame = unsafe { core::slice::from_raw_parts(frame, len) };
        receiver.receive(frame, ifindex);
    }

    /// The receiver frames are delivered to.
    pub(crate) fn receiver(&self) -> &Arc<T> {
        &self.receiver
    }
}

impl<T: FrameReceiver> Drop for PacketHandler<T> {
    fn drop(&mut self) {
        // SAFETY: By the type invariant `raw` is registered; after this call no callback is
        // running or will run.
        unsafe { glue::raoe_packet_unregister(self.raw.as_ptr()) };
        // SAFETY: By the type invariant `ctx` came from `into_foreign` and is taken back only
        // here, once no callback can borrow it.
        drop(unsafe { Arc::<T>::from_foreign(self.ctx) });
    }
}

/// Sends a copy of `frame` (Ethernet header included) on interface `ifindex`.
pub(crate) fn transmit_copy(ifindex: i32, frame: &[u8]) -> Result {
    let len = c_uint::try_from(frame.len()).map_err(|_| EINVAL)?;
    // SAFETY: `frame` is `len` readable bytes; `net.c` copies them before returning.
    let ret = unsafe { glue::raoe_xmit_copy(ifindex, frame.as_ptr(), len) };
    if ret < 0 {
        return Err(Error::from_errno(ret));
    }
    Ok(())
}

/// Told when the network stack has let go of a zero-copy frame.
pub(crate) trait ReleaseNotify: Send + Sync + 'static {
    /// The frame sent with `cookie` is no longer referenced; `pinned` pages it pinned were
    /// released. Runs once per frame, in any context (softirq, hardirq, process).
    fn released(self: &Arc<Self>, cookie: u64, pinned: u32);
}

/// Sends `header` followed by `frags` on `ifindex` without copying the frag pages: the frame
/// takes over `frags`' page references. On success `notify.released(cookie, ..)` runs exactly
/// once, when the stack is done with the frame, and the frame holds a reference on `notify`
/// until then; on failure it never runs and `frags`' references are put.
pub(crate) fn transmit_frags<T: ReleaseNotify>(
    ifindex: i32,
    header: &[u8],
    frags: PinnedFrags,
    notify: &Arc<T>,
    cookie: u64,
) -> Result {
    /// Forwards the release to `T` and drops the frame's reference on it.
    ///
    /// # Safety
    ///
    /// `ctx` is the reference `transmit_frags` made foreign, passed only once.
    unsafe extern "C" fn released<T: ReleaseNotify>(ctx: *mut c_void, cookie: u64, pinned: c_uint) {
        // SAFETY: `ctx` came from `into_foreign` and `net.c` calls this once per frame.
        let notify = unsafe { Arc::<T>::from_foreign(ctx) };
        notify.released(cookie, pinned);
    }
    let hlen = c_uint::try_from(header.len()).map_err(|_| EINVAL)?;
    let nfrags = c_uint::try_from(frags.frags().len()).map_err(|_| EINVAL)?;
    let frags = frags.into_raw();
    let ctx = notify.clone().into_foreign();
    // SAFETY: `header` and `frags` are readable for their lengths; by `PinnedFrags`' invariant
    // each frag holds a reference on its page, which the frame takes over on success; `ctx` is
    // a reference `released` consumes.
    let ret = unsafe {
        glue::raoe_xmit_frags(
            ifindex,
            header.as_ptr(),
            hlen,
            frags.frags().as_ptr().cast(),
            nfrags,
            frags.pinned(),
            Some(released::<T>),
            ctx,
            cookie,
        )
    };
    if ret < 0 {
        // SAFETY: On failure `net.c` never calls `released`, so the reference is still ours.
        drop(unsafe { Arc::<T>::from_foreign(ctx) });
        // The references are still ours too: put them.
        drop(ManuallyDrop::into_inner(frags));
        return Err(Error::from_errno(ret));
    }
    Ok(())
}

/// An up Ethernet interface, as seen during [`for_each_interface`].
pub(crate) struct Interface<'a> {
    /// The interface index.
    pub(crate) ifindex: i32,
    /// The interface name.
    pub(crate) name: &'a CStr,
    /// The MTU in bytes.
    pub(crate) mtu: u32,
    /// The interface's MAC address.
    pub(crate) mac: [u8; 6],
}

/// Calls `visit` for every up Ethernet interface, under RCU: `visit` must not sleep.
pub(crate) fn for_each_interface<F: FnMut(&Interface<'_>)>(mut visit: F) {
    /// Forwards one interface to the closure behind `ctx`.
    ///
    /// # Safety
    ///
    /// `ctx` points to an `F`; `name` is a NUL-terminated string and `mac` 6 readable bytes,
    /// both valid for the call.
    unsafe extern "C" fn trampoline<F: FnMut(&Interface<'_>)>(
        ctx: *mut c_void,
        ifindex: c_int,
        name: *const c_char,
        mtu: c_uint,
        mac: *const u8,
    ) {
        // SAFETY: The caller passes the `F` given to `raoe_netdev_for_each` below.
        let visit = unsafe { &mut *ctx.cast::<F>() };
        // SAFETY: The caller guarantees 6 readable bytes at `mac`.
        let mac = unsafe { core::ptr::read(mac.cast::<[u8; 6]>()) };
        // SAFETY: The caller guarantees a NUL-terminated name valid for the call.
        let name = unsafe { CStr::from_char_ptr(name) };
        visit(&Interface {
            ifindex,
            name,
            mtu,
            mac,
        });
    }
    let ctx = core::ptr::from_mut(&mut visit).cast::<c_void>();
    // SAFETY: `trampoline::<F>` matches the C callback type and `ctx` points to `visit`, which
    // outlives the call.
    unsafe { glue::raoe_netdev_for_each(Some(trampoline::<F>), ctx) };
}
