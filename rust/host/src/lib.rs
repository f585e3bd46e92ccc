// SPDX-License-Identifier: GPL-2.0

//! The pure logic of raoe and rzram, built for the host so that `cargo test` and the fuzzer
//! exercise the very files the kernel modules compile.
//!
//! The lints below go beyond the kernel's: they catch, at build time, indexing and arithmetic
//! that could panic in the module.

#![no_std]
#![deny(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::float_arithmetic,
    clippy::cast_possible_truncation,
    clippy::cast_possible_wrap,
    clippy::cast_sign_loss
)]

/// The AoE frame format.
#[path = "../../raoe/logic/wire.rs"]
pub mod wire;

/// The ATA IDENTIFY data and the frame payload.
#[path = "../../raoe/logic/identify.rs"]
pub mod identify;

/// Round-trip timing and the congestion window.
#[path = "../../raoe/logic/rtt_window.rs"]
pub mod rtt_window;

/// Tags of the frames in flight.
#[path = "../../raoe/logic/tags.rs"]
pub mod tags;

/// Splitting requests into frames.
#[path = "../../raoe/logic/split.rs"]
pub mod split;

/// Parsing what users write to /dev/etherd.
#[path = "../../raoe/logic/user_input.rs"]
pub mod user_input;

/// Choosing each frame's target.
#[path = "../../raoe/logic/path_choice.rs"]
pub mod path_choice;

/// The requests a device works on, and when each may end.
#[path = "../../raoe/logic/requests.rs"]
pub mod requests;

/// The minors of a device's disk.
#[path = "../../raoe/logic/minors.rs"]
pub mod minors;

/// rzram: pages of one repeated word.
#[path = "../../rzram/logic/same_fill.rs"]
pub mod same_fill;

/// rzram: where a page goes in the pool, and which pages a bio touches.
#[path = "../../rzram/logic/placement.rs"]
pub mod placement;

/// rzram: its own names or zram.ko's.
#[path = "../../rzram/logic/names.rs"]
pub mod names;

/// rzram: parsing and formatting of the sysfs attributes.
#[path = "../../rzram/logic/sysfs_text.rs"]
pub mod sysfs_text;

/// rzram: the state of a page, packed into its slot.
#[path = "../../rzram/logic/slot_state.rs"]
pub mod slot_state;

/// rzram: the blocks of the backing device in use.
#[path = "../../rzram/logic/block_map.rs"]
pub mod block_map;
