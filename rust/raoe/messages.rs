// SPDX-License-Identifier: GPL-2.0

//! The messages `/dev/etherd/err` hands out: retransmissions, ATA and AoE errors, devices going
//! down. As in aoe.ko (aoechr.c:135-167, 220-275), a read takes one whole message and blocks
//! until there is one; messages are dropped while the ring is full.

use core::fmt::Write;
use kernel::{
    fmt, new_condvar, new_spinlock_irq,
    prelude::*,
    sync::{
        CondVar,
        SpinLockIrq, //
    },
};

/// Messages kept, as aoe.ko's `NMSG`.
const CAPACITY: usize = 100;

/// The longest message; longer ones are cut.
const MESSAGE_LEN: usize = 160;

/// One message.
#[derive(Clone, Copy)]
struct Message {
    /// Its bytes.
    text: [u8; MESSAGE_LEN],
    /// How many of them are used.
    len: usize,
}

impl Message {
    /// An empty message.
    const EMPTY: Message = Message {
        text: [0; MESSAGE_LEN],
        len: 0,
    };
}

impl Write for Message {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let room = MESSAGE_LEN - self.len;
        let bytes = s.as_bytes();
        let take = bytes.len().min(room);
        if let (Some(out), Some(input)) = (
            self.text.get_mut(self.len..self.len + take),
            bytes.get(..take),
        ) {
            out.copy_from_slice(input);
            self.len += take;
        }
        Ok(())
    }
}

/// The ring of messages not yet read.
struct Ring {
    /// `CAPACITY` messages, allocated once.
    slots: KVec<Message>,
    /// The oldest message.
    head: usize,
    /// How many messages are waiting.
    count: usize,
    /// Messages dropped because the ring was full.
    dropped: u64,
}

/// The message queue of `/dev/etherd/err`.
#[pin_data]
pub(crate) struct Messages {
    /// Posted in softirq context, read in process context.
    #[pin]
    ring: SpinLockIrq<Ring>,
    /// Readers wait here for a message.
    #[pin]
    posted: CondVar,
}

impl Messages {
    /// An empty queue.
    pub(crate) fn new() -> Result<impl PinInit<Self, Error>> {
        let mut slots = KVec::with_capacity(CAPACITY, GFP_KERNEL)?;
        for _ in 0..CAPACITY {
            slots.push(Message::EMPTY, GFP_KERNEL)?;
        }
        Ok(try_pin_init!(Self {
            ring <- new_spinlock_irq!(
                Ring {
                    slots,
                    head: 0,
                    count: 0,
                    dropped: 0,
                },
                "Messages::ring"
            ),
            posted <- new_condvar!("Messages::posted"),
        }? Error))
    }

    /// Queues a message for readers; any context.
    pub(crate) fn post(&self, args: fmt::Arguments<'_>) {
        let mut message = Message::EMPTY;
        // `Message` cuts what does not fit, so only an argument's own formatting can fail; what
        // was written before it still goes out.
        if message.write_fmt(args).is_err() {
            pr_warn!("an /dev/etherd/err message failed to format\n");
        }
        {
            let mut ring = self.ring.lock();
            if ring.count == CAPACITY {
                ring.dropped += 1;
                return;
            }
            let tail = (ring.head + ring.count) % CAPACITY;
            if let Some(slot) = ring.slots.get_mut(tail) {
                *slot = message;
                ring.count += 1;
            }
        }
        self.posted.notify_all();
    }

    /// Copies the oldest message into `buf` and returns its length; waits for one unless
    /// `nonblocking`. A message longer than `buf` stays queued and the read fails with
    /// `EAGAIN`, as in aoe.ko.
    pub(crate) fn read(&self, buf: &mut [u8], nonblocking: bool) -> Result<usize> {
        let mut ring = self.ring.lock();
        while ring.count == 0 {
            if nonblocking {
                return Err(EAGAIN);
            }
            if self.posted.wait_interruptible(&mut ring) {
                return Err(ERESTARTSYS);
            }
        }
        let head = ring.head;
        let message = ring.slots.get(head).copied().unwrap_or(Message::EMPTY);
        let text = message.text.get(..message.len).unwrap_or_default();
        let out = buf.get_mut(..text.len()).ok_or(EAGAIN)?;
        out.copy_from_slice(text);
        ring.head = (head + 1) % CAPACITY;
        ring.count -= 1;
        Ok(text.len())
    }

    /// Messages dropped because nobody read them in time.
    pub(crate) fn dropped(&self) -> u64 {
        self.ring.lock().dropped
    }
}
