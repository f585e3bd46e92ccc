// SPDX-License-Identifier: GPL-2.0

//! Feeds arbitrary writes to rzram's attribute parsers: none may panic, `next_arg` always
//! consumes input, so `algorithm_params` cannot loop, and a writeback never scans a page beyond
//! the device.

#![no_main]

use libfuzzer_sys::fuzz_target;
use raoe_logic::sysfs_text::{
    next_arg,
    parse_algorithm_params,
    parse_bool,
    parse_decimal,
    parse_idle,
    parse_int,
    parse_recomp_algorithm,
    parse_recompress,
    parse_size,
    parse_switch,
    parse_unsigned,
    parse_writeback, //
};

/// The pages of the device the writeback parser is given.
const PAGES: u64 = 1000;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = core::str::from_utf8(data) else {
        return;
    };
    let _ = parse_size(text);
    let _ = parse_decimal(text);
    let _ = parse_switch(text);
    let _ = parse_int(text);
    let _ = parse_idle(text);
    let _ = parse_bool(text);
    let _ = parse_unsigned(text);
    let _ = parse_writeback(text, PAGES, |scan| {
        assert!(
            scan.first < scan.end && scan.end <= PAGES,
            "{scan:?} of {text:?}"
        );
    });
    if let Ok(request) = parse_recomp_algorithm(text) {
        assert!(text.contains(request.algo));
    }
    if let Ok(request) = parse_recompress(text) {
        assert!(request.algo.is_none_or(|algo| text.contains(algo)));
    }
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
