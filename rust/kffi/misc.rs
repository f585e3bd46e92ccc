// SPDX-License-Identifier: GPL-2.0

//! Character device nodes whose reads and writes go to one handler, over
//! `kernel::miscdevice`, which 7.3 offers without a way to reach the driver's state from an
//! open file.
//!
//! C header: [`include/linux/miscdevice.h`](srctree/include/linux/miscdevice.h).

use kernel::{
    bindings,
    fs::{
        File,
        Kiocb, //
    },
    iov::{
        IovIterDest,
        IovIterSource, //
    },
    miscdevice::{
        MiscDevice,
        MiscDeviceOptions,
        MiscDeviceRegistration, //
    },
    prelude::*,
    sync::Arc,
};

/// The most bytes one write may carry: aoe.ko refuses interface lists of 1024 bytes or more
/// (aoenet.c:98-110).
pub(crate) const MAX_WRITE: usize = 1023;

/// The most bytes one read returns.
const MAX_READ: usize = 256;

/// Takes the reads and writes of a set of nodes, told apart by their index.
pub(crate) trait NodeHandler: Send + Sync + 'static {
    /// Takes one whole write of at most [`MAX_WRITE`] bytes to node `node`.
    fn write(&self, node: usize, data: &[u8]) -> Result;

    /// Fills `buf` from node `node` and returns the length; may wait unless `nonblocking`.
    fn read(&self, node: usize, buf: &mut [u8], nonblocking: bool) -> Result<usize>;
}

/// A registered node; dropping it removes it.
///
/// # Invariants
///
/// `registration` is only ever the field of a `Node`: every `MiscDeviceRegistration` of
/// `OpenNode<T>` is made by [`Node::register`].
#[pin_data]
pub(crate) struct Node<T: NodeHandler> {
    /// The handler of the node's reads and writes.
    handler: Arc<T>,
    /// The node's index, passed to the handler.
    index: usize,
    /// The registration; initialised last, so the fields above are set when the node opens.
    #[pin]
    registration: MiscDeviceRegistration<OpenNode<T>>,
}

impl<T: NodeHandler> Node<T> {
    /// Registers node `name` (`!` becomes `/` under /dev) with index `index`.
    pub(crate) fn register(
        name: &'static CStr,
        index: usize,
        handler: Arc<T>,
    ) -> impl PinInit<Self, Error> {
        // INVARIANT: The registration is made as the field of this `Node`.
        try_pin_init!(Self {
            handler,
            index,
            registration <- MiscDeviceRegistration::register(MiscDeviceOptions { name }),
        }? Error)
    }
}

/// An open node.
pub(crate) struct OpenNode<T: NodeHandler> {
    /// The node's handler.
    handler: Arc<T>,
    /// The node's index.
    index: usize,
}

/// Whether the file of `kiocb` was opened with `O_NONBLOCK`.
fn nonblocking<T: NodeHandler>(kiocb: &Kiocb<'_, KBox<OpenNode<T>>>) -> bool {
    // SAFETY: A kiocb passed to `read_iter` is valid and refers to its open file.
    let flags = unsafe { (*(*kiocb.as_raw()).ki_filp).f_flags };
    flags & bindings::O_NONBLOCK != 0
}

#[vtable]
impl<T: NodeHandler> MiscDevice for OpenNode<T> {
    type Ptr = KBox<Self>;

    fn open(_file: &File, misc: &MiscDeviceRegistration<Self>) -> Result<KBox<Self>> {
        let field = core::ptr::from_ref(misc).cast_mut();
        // SAFETY: By the invariant of `Node`, `misc` is the `registration` field of a live
        // `Node<T>`, which outlives the registration and so this call.
        let node = unsafe { &*kernel::container_of!(field, Node<T>, registration) };
        Ok(KBox::new(
            OpenNode {
                handler: node.handler.clone(),
                index: node.index,
            },
            GFP_KERNEL,
        )?)
    }

    fn read_iter(kiocb: Kiocb<'_, Self::Ptr>, iov: &mut IovIterDest<'_>) -> Result<usize> {
        let nonblocking = nonblocking(&kiocb);
        let node = kiocb.file();
        let mut buf = [0u8; MAX_READ];
        let room = buf.get_mut(..iov.len().min(MAX_READ)).ok_or(EINVAL)?;
        let read = node.handler.read(node.index, room, nonblocking)?;
        Ok(iov.copy_to_iter(buf.get(..read).ok_or(EINVAL)?))
    }

    fn write_iter(kiocb: Kiocb<'_, Self::Ptr>, iov: &mut IovIterSource<'_>) -> Result<usize> {
        let node = kiocb.file();
        if iov.len() > MAX_WRITE {
            return Err(EINVAL);
        }
        let mut buf = [0u8; MAX_WRITE];
        let len = iov.copy_from_iter(&mut buf);
        node.handler
            .write(node.index, buf.get(..len).ok_or(EINVAL)?)?;
        Ok(len)
    }
}
