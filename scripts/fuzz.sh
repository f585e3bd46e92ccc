#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Usage: fuzz.sh [TARGET]   (parse_response, the default, or parse_sysfs_text; FUZZ_SECONDS=60
# bounds the run)
# Runs a libFuzzer target of raoe's pure logic (rust/host/fuzz) with cargo-fuzz, which it installs
# if missing. Stable rustc with RUSTC_BOOTSTRAP=1 accepts the -Z flags cargo-fuzz passes (ASan and
# the coverage instrumentation), so no nightly toolchain is needed. The corpus stays in
# rust/host/fuzz/corpus and a crash lands in rust/host/fuzz/artifacts; both are ignored by git.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
# cargo-fuzz and the host crates use the machine's rustup toolchain, not the kernel's rustc-web.
export PATH=$HOME/.cargo/bin:$PATH
export RUSTC_BOOTSTRAP=1

CARGO_FUZZ_VERSION=0.13.2
target=${1:-parse_response}
seconds=${FUZZ_SECONDS:-60}
fuzz_dir=$TOP/rust/host/fuzz
corpus=$fuzz_dir/corpus/$target

step "cargo-fuzz $CARGO_FUZZ_VERSION"
if ! cargo fuzz --version 2>/dev/null | grep -qF "$CARGO_FUZZ_VERSION"; then
	cargo install --quiet --locked cargo-fuzz --version "$CARGO_FUZZ_VERSION" || die "cargo install cargo-fuzz failed"
fi

# Writes a seed frame from hex, the Ethernet header included, padded with `pad` zero bytes.
seed() {
	local name=$1 hex=$2 pad=${3:-0}
	{
		printf '%b' "$(sed 's/../\\x&/g' <<<"$hex")"
		head -c "$pad" /dev/zero
	} >"$corpus/$name"
}

step "seed corpus ($corpus)"
mkdir -p "$corpus"
case "$target" in
parse_response)
	macs=5254001234565254000abcde
	ata=${macs}88a21800000a0a0000000001
	seed ata-read "${ata}40000040010203040506" 514
	seed ata-write "${ata}400000400102030405060000" 24
	seed ata-error "${ata}40040051010203040506" 26
	seed config "${macs}88a21800000a0a0100000000001040190210000568656c6c6f" 23
	seed aoe-error "${macs}88a21c03000a0a0000000007" 36
	;;
parse_sysfs_text)
	printf 'algo=zstd level=3\n' >"$corpus/zram-generator"
	printf 'priority=1 dict="/etc/a dict" deflate.winbits=12' >"$corpus/quoted"
	printf '4G\n' >"$corpus/size"
	;;
esac

step "cargo fuzz run $target for ${seconds}s"
log=$fuzz_dir/fuzz-$target.log
cd "$fuzz_dir"
if ! cargo fuzz run "$target" -- -max_total_time="$seconds" -max_len=9100 -print_final_stats=1 >"$log" 2>&1; then
	tail -n 40 "$log" >&2
	die "fuzzing $target failed: see $log and $fuzz_dir/artifacts/$target"
fi
grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -n 1
grep -E '^stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb|new_units_added)' "$log"
