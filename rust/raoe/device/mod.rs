// SPDX-License-Identifier: GPL-2.0

//! An AoE block device: one shelf.slot, the targets behind it, and the frames of its requests.
//!
//! Requests are split into frames of at most the payload size (aoecmd.c:1588-1594); frames go
//! out while a target's window allows (aoecmd.c:1001-1008), and each ATA reply is checked
//! against the frame it answers before it may complete it or give it data.
//!
//! A device may reach its shelf.slot through several targets (MAC addresses), each through
//! several local interfaces; `logic::path_choice` chooses each frame's target, and a frame that
//! times out is resent with a new tag to another target.
//!
//! Write frames carry the request's pages themselves, pinned, and a request ends only when
//! every frame is answered *and* the network stack has released every transmission's pages:
//! a frame still queued somewhere must not carry data written into the pages after the
//! request completed. aoe.ko completes on the acknowledgement alone (aoecmd.c:1065-1076). If
//! the stack holds pages longer than `aoe_deadsecs` after the last answer, the request fails.
//!
//! A frame unanswered for `aoe_deadsecs` takes the device down, as in aoe.ko
//! (aoecmd.c:760-776): every request fails and new ones fail at once until a revalidation.

/// The device's state, its targets and paths.
mod state;

/// What the driver keeps of a request, and how a done request ends.
mod requests;

/// Building frames under the lock and sending them after it; the stack's releases.
mod transmit;

/// ATA replies.
mod receive;

/// Retransmissions, the device going down and expired releases, every tick.
mod timer;

/// The block layer's calls: new requests, open, identity, geometry.
mod block;

/// The debugfs `stats` text and the unload summary.
mod stats;

/// The disk's sysfs attributes.
mod disk_info;

pub(crate) use state::{
    AoeDevice,
    DeviceParams,
    LocalInterface,
    HW_QUEUES,
    QUEUE_DEPTH, //
};
