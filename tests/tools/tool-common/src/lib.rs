// SPDX-License-Identifier: GPL-2.0
//! Helpers shared by the guest test tools.

pub mod cli;
pub mod os_error;
pub mod rng;
