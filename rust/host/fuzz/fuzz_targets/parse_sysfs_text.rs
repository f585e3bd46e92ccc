// SPDX-License-Identifier: GPL-2.0

//! Feeds arbitrary writes to rzram's attribute parsers: none may panic, and `next_arg` always
//! consumes input, so `algorithm_params` cannot loop.

#![no_main]

use libfuzzer_sys::fuzz_target;
use raoe_logic::sysfs_text::{
    next_arg,
    parse_algorithm_params,
    parse_decimal,
    parse_idle,
    parse_int,
    parse_size,
    parse_switch, //
};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = core::str::from_utf8(data) else {
        return;
    };
    let _ = parse_size(text);
    let _ = parse_decimal(text);
    let _ = parse_switch(text);
    let _ = parse_int(text);
    let _ = parse_idle(text);
    if let Ok(params) = parse_algorithm_params(text) {
        // What was read is a piece of what was written.
        for piece in [params.algo, params.dict].into_iter().flatten() {
            assert!(text.contains(piece));
        }
    }
    let mut args = text.trim_start();
    while !args.is_empty() {
        let (param, _, rest) = next_arg(args);
        assert!(
            rest.len() < args.len(),
            "next_arg consumed nothing of {args:?}"
        );
        assert!(text.contains(param));
        args = rest;
    }
});
