#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Usage: host-rust.sh build | test RESULTS_DIR | check
# Host-side Rust workspaces: the guest test tools, and the drivers' pure logic built for the host.
. "$(dirname "$0")/lib.sh"
# Host crates use the machine's rustup toolchain (cargo fmt, clippy), not the kernel's rustc-web.
export PATH=$HOME/.cargo/bin:$PATH

workspaces=("$TOP/tests/tools" "$TOP/rust/host")
# Cargo reads a workspace's .cargo/config.toml only when it runs inside the workspace.
cargo() {
	(cd "$ws" && command cargo "$@")
}
case "${1:?build|test|check}" in
build)
	for ws in "${workspaces[@]}"; do
		step "cargo build $(basename "$ws")"
		cargo build --quiet --release --manifest-path "$ws/Cargo.toml" || die "cargo build failed"
	done
	;;
test)
	for ws in "${workspaces[@]}"; do
		step "cargo test $(basename "$ws")"
		cargo test --release --manifest-path "$ws/Cargo.toml" 2>&1 | tee "${2:?RESULTS_DIR}/cargo-$(basename "$ws").log" |
			grep -E '^test result|FAILED|panicked' || true
	done
	;;
check)
	for ws in "${workspaces[@]}"; do
		step "cargo fmt + clippy $(basename "$ws")"
		cargo fmt --all --check --manifest-path "$ws/Cargo.toml" || die "cargo fmt: run 'cargo fmt' in $ws"
		cargo clippy --quiet --release --manifest-path "$ws/Cargo.toml" -- -D warnings || die "clippy failed"
	done
	;;
esac
