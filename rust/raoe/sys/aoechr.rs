// SPDX-License-Identifier: GPL-2.0

//! The character devices in /dev/etherd, made as aoe.ko makes them (`aoechr.c`: char major 152,
//! minors 2-6, class `aoe`), their reads and writes going to one handler.

use super::shims::{
    raoe_chr_handler,
    raoe_chr_register,
    raoe_chr_unregister, //
};
use core::marker::PhantomData;
use kernel::{
    ffi::{
        c_int,
        c_uint,
        c_void, //
    },
    prelude::*,
    sync::Arc,
    types::ForeignOwnable, //
};

/// Takes the reads and writes of the nodes, told apart by their index (err 0 to flush 4).
pub(crate) trait NodeHandler: Send + Sync + 'static {
    /// Takes one whole write to node `node`, of at most `RAOE_CHR_MAX_WRITE` bytes (1023:
    /// aoe.ko refuses interface lists of 1024 bytes or more, aoenet.c:98-110).
    fn write(&self, node: usize, data: &[u8]) -> Result;

    /// Fills `buf` from node `node` and returns the length; may wait unless `nonblocking`.
    fn read(&self, node: usize, buf: &mut [u8], nonblocking: bool) -> Result<usize>;
}

/// The registered nodes; dropping them removes them.
///
/// # Invariants
///
/// The nodes are registered (`raoe_chr_register` succeeded) from [`Nodes::register`] until
/// `drop`. `handler` is an `Arc<T>` made foreign ([`ForeignOwnable::into_foreign`]);
/// `aoechr.c` passes it to the handler functions of files opened on the nodes until
/// `raoe_chr_unregister` returns, which is in `drop`, before it is taken back.
pub(crate) struct Nodes<T: NodeHandler> {
    handler: *mut c_void,
    _handler: PhantomData<Arc<T>>,
}

// SAFETY: `Nodes` only holds a reference of an `Arc<T>`, and `T` is `Send + Sync`.
unsafe impl<T: NodeHandler> Send for Nodes<T> {}
// SAFETY: As above; `Nodes` has no methods taking `&self`.
unsafe impl<T: NodeHandler> Sync for Nodes<T> {}

impl<T: NodeHandler> Nodes<T> {
    /// Registers the nodes, all handled by `handler`.
    pub(crate) fn register(handler: Arc<T>) -> Result<Self> {
        let ctx = handler.into_foreign();
        let raw = raoe_chr_handler {
            ctx,
            write: Some(write_node::<T>),
            read: Some(read_node::<T>),
        };
        // SAFETY: `raw` is a handler whose functions borrow `ctx` as an `Arc<T>`, which `drop`
        // takes back; `raoe_chr_register` copies `raw`.
        let ret = unsafe { raoe_chr_register(&raw) };
        if ret < 0 {
            // SAFETY: `ctx` came from `into_foreign` above; a failed `raoe_chr_register`
            // returns once no file opened in the meantime is left (aoechr.c).
            drop(unsafe { Arc::<T>::from_foreign(ctx) });
            return Err(Error::from_errno(ret));
        }
        // INVARIANT: `ctx` came from `into_foreign` and is taken back only in `drop`.
        Ok(Nodes {
            handler: ctx,
            _handler: PhantomData,
        })
    }
}

impl<T: NodeHandler> Drop for Nodes<T> {
    fn drop(&mut self) {
        // SAFETY: The nodes are registered (type invariant); this removes them once.
        unsafe { raoe_chr_unregister() };
        // SAFETY: By the type invariant `handler` came from `into_foreign`, and
        // `raoe_chr_unregister` returned only once every file opened on the nodes was
        // released, so no handler call borrows it any more.
        drop(unsafe { Arc::<T>::from_foreign(self.handler) });
    }
}

/// `raoe_chr_handler.write`.
///
/// # Safety
///
/// `ctx` is the `handler` of a live [`Nodes<T>`], and `buf` is `len` readable bytes.
unsafe extern "C" fn write_node<T: NodeHandler>(
    ctx: *mut c_void,
    node: c_uint,
    buf: *const u8,
    len: usize,
) -> c_int {
    // SAFETY: By the function's safety requirements `ctx` is the foreign `Arc<T>` of live
    // nodes, taken back only once no call is left.
    let handler = unsafe { <Arc<T> as ForeignOwnable>::borrow(ctx) };
    // SAFETY: By the function's safety requirements, `buf` is `len` readable bytes.
    let data = unsafe { core::slice::from_raw_parts(buf, len) };
    match handler.write(node as usize, data) {
        Ok(()) => 0,
        Err(err) => err.to_errno(),
    }
}

/// `raoe_chr_handler.read`.
///
/// # Safety
///
/// `ctx` is the `handler` of a live [`Nodes<T>`], and `buf` is `len` writable bytes.
unsafe extern "C" fn read_node<T: NodeHandler>(
    ctx: *mut c_void,
    node: c_uint,
    buf: *mut u8,
    len: usize,
    nonblocking: bool,
) -> isize {
    // SAFETY: By the function's safety requirements `ctx` is the foreign `Arc<T>` of live
    // nodes, taken back only once no call is left.
    let handler = unsafe { <Arc<T> as ForeignOwnable>::borrow(ctx) };
    // SAFETY: By the function's safety requirements, `buf` is `len` writable bytes, which
    // nothing else uses during the call.
    let room = unsafe { core::slice::from_raw_parts_mut(buf, len) };
    match handler.read(node as usize, room, nonblocking) {
        Ok(read) => isize::try_from(read).unwrap_or(isize::MAX),
        Err(err) => err.to_errno() as isize,
    }
}
