// SPDX-License-Identifier: GPL-2.0

//! The declarations of raoe's C shims, generated at build time by bindgen from `shims.h` (see
//! Kbuild): a shim and its Rust caller cannot disagree on a signature, a struct layout (bindgen
//! asserts each size and offset) or a constant. Kernel structs the headers only name are opaque
//! here; the shims take and return them by pointer.

#![allow(
    non_camel_case_types,
    non_upper_case_globals,
    non_snake_case,
    dead_code,
    unreachable_pub,
    unsafe_op_in_unsafe_fn,
    clippy::all,
    clippy::undocumented_unsafe_blocks
)]

use kernel::bindings::{
    bool_,
    u16_,
    u32_,
    u64_,
    u8_, //
};

include!(concat!(
    env!("RAOE_RZRAM_OBJ"),
    "/rust/raoe/sys/shims_generated.rs"
));
