#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Static checks: the kernel's rustfmt settings on rust/, fmt and clippy on the host crates.
# (The modules themselves are always built with the kernel's clippy lints as errors.)
. "$(dirname "$0")/lib.sh"

step "rustfmt (kernel .rustfmt.toml)"
mapfile -t sources < <(find "$TOP/rust" -name '*.rs' | sort)
rustfmt --check --edition 2021 --config-path "$KERNEL_SRC/.rustfmt.toml" "${sources[@]}" ||
	die "rustfmt: run 'rustfmt --edition 2021 --config-path $KERNEL_SRC/.rustfmt.toml' on the files above"

step "unsafe blocks carry SAFETY comments"
# The kernel's clippy lint covers the modules; this covers every other Rust file too.
missing=$(find "$TOP/rust" "$TOP/tests" -name '*.rs' -not -path '*/target/*' -print0 | xargs -0 -r awk '
	FNR == 1 { safety = 0 }
	/^[[:space:]]*\/\// { if ($0 ~ /SAFETY:/) safety = 1; next }
	/=[[:space:]]*$/ && $0 !~ /unsafe/ { next }  # "let x =" wrapped by rustfmt before "unsafe {"
	/unsafe[[:space:]]*\{/ && !safety && $0 !~ /SAFETY:/ { printf "%s:%d\n", FILENAME, FNR }
	{ safety = 0 }')
[ -z "$missing" ] || die "unsafe blocks without a SAFETY comment: $missing"

step "C declarations come from bindgen"
# The shims' declarations are generated from their headers (rust/<driver>/sys/shims.rs, Kbuild):
# a prototype or a struct written by hand in Rust could disagree with C and still compile.
hand=$(grep -rn --include='*.rs' -E 'extern "C" \{|^#\[repr\(C\)\]' "$TOP/rust/raoe" "$TOP/rust/rzram" |
	grep -v -F -f <(grep -rln --include='*.rs' -F '_private: [u8; 0]' "$TOP/rust/raoe" "$TOP/rust/rzram") || true)
[ -z "$hand" ] || die "hand-written C declarations (declare them in the shim's header instead): $hand"

"$TOP/scripts/host-rust.sh" check
