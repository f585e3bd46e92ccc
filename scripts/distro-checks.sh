#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Usage: distro-checks.sh MODULES_DIR RESULTS_DIR
# Judges the DKMS build of the distro flavour (scripts/distro-modules.sh made MODULES_DIR) and
# the package's refusals, as a KTAP document in RESULTS_DIR/distro-build.log: installed for
# Debian's release, built by Debian's rustc without a warning, Debian's vermagic, every symbol
# the modules need exported by Debian's kernel, and a clear stop for a wrong rustc or a missing
# or mismatched linux-source.
. "$(dirname "$0")/lib.sh"

modules=${1:?MODULES_DIR}
results=${2:?RESULTS_DIR}
release=$DISTRO_KERNEL_RELEASE
root=$("$TOP/scripts/distro-root.sh")
kdir=$("$TOP/scripts/distro-kernel.sh")
mkdir -p "$results"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export SUITE=distro-build DRIVER=rust KTAP_RESULTS=$tmp/points
# shellcheck source=../tests/guest/lib.sh
. "$TOP/tests/guest/lib.sh"
# Test points judge failures; a failing command must not end the document.
set +e +o pipefail
prepare=/usr/src/raoe-rzram-$PACKAGE_VERSION/dkms/prepare-kernel-tree.sh
headers=$root/usr/src/linux-headers-$release

# refused NAME EXPECTED-TEXT... -- SHELL-COMMAND: the command, run in the build root, must fail
# and say every EXPECTED-TEXT; a test point.
refused() {
	local name=$1 out rc=0
	shift
	local want=()
	while [ "$1" != -- ]; do want+=("$1") && shift; done
	shift
	out=$(in_root "$root" sh -c "$*" 2>&1) || rc=$?
	diag "$name: exit $rc: $out"
	[ "$rc" -ne 0 ] || { fail "$name" "the command succeeded" && return; }
	for text in "${want[@]}"; do
		[[ "$out" == *"$text"* ]] || { fail "$name" "the message does not say '$text'" && return; }
	done
	pass "$name"
}

{
	diag "$(cat "$modules/dkms-status.txt")"
	if grep -q "^raoe-rzram/$PACKAGE_VERSION, $release, x86_64: installed" "$modules/dkms-status.txt"; then
		pass dkms-status-installed
	else
		fail dkms-status-installed "$(cat "$modules/dkms-status.txt")"
	fi

	want_rustc=$(sed -n 's/^CONFIG_RUSTC_VERSION_TEXT="\(.*\)"/\1/p' "$headers/.config")
	expect_eq built-by-the-kernels-rustc "$want_rustc" "$(in_root "$root" rustc --version)"
	diag "make.log: $(grep -c . "$modules/make.log") lines"
	warnings=$(grep -ci 'warning' "$modules/make.log" || true)
	[ "$warnings" -eq 0 ] || diag "$(grep -i 'warning' "$modules/make.log" | head -n 20)"
	expect_eq built-without-warnings 0 "$warnings"

	debian_vermagic=$(modinfo -F vermagic "$kdir/modroot/lib/modules/$release/kernel/drivers/block/aoe/aoe.ko.xz")
	for ko in "$modules"/raoe.ko* "$modules"/rzram.ko*; do
		mod=$(basename "${ko%%.ko*}")
		expect_eq "$mod-vermagic-is-debians" "$debian_vermagic" "$(modinfo -F vermagic "$ko")"
		# Every symbol the module needs is one Debian's kernel or its modules export.
		case "$ko" in *.xz) xz -dc "$ko" >"$tmp/$mod.ko" ;; *) cp "$ko" "$tmp/$mod.ko" ;; esac
		nm -u "$tmp/$mod.ko" | awk '{print $2}' | sort -u >"$tmp/$mod.needs"
		missing=$(awk 'NR == FNR { have[$2] = 1; next } !($1 in have)' "$headers/Module.symvers" "$tmp/$mod.needs" |
			grep -vxE '__fentry__|__this_module' | head -n 5 | xargs)
		diag "$mod needs $(wc -l <"$tmp/$mod.needs") symbols"
		expect_eq "$mod-symbols-in-debians-symvers" "" "$missing"
	done

	# RAOE_MODULE_NAME=aoe in /etc/default/raoe-rzram: DKMS builds raoe as aoe.ko, newer than
	# Debian's aoe.ko by version (DKMS installs nothing older in a kernel module's place).
	as_aoe=$(ls "$modules-as-aoe"/aoe.ko* 2>/dev/null | head -n1)
	diag "as aoe: $(cat "$modules-as-aoe/dkms-status.txt" 2>/dev/null)"
	expect_eq package-builds-raoe-as-aoe "aoe 85+raoe-$PACKAGE_VERSION, installed: 1" \
		"$(modinfo -F name "$as_aoe" 2>/dev/null) $(modinfo -F version "$as_aoe" 2>/dev/null), installed: $(grep -c ': installed' "$modules-as-aoe/dkms-status.txt" 2>/dev/null)"

	# A rustc other than the kernel's stops the build before anything is compiled, naming both.
	mkdir -p "$root/tmp/other-rustc"
	printf '#!/bin/sh\necho "rustc 1.96.0 (00000000 2026-05-01)"\n' >"$root/tmp/other-rustc/rustc"
	chmod +x "$root/tmp/other-rustc/rustc"
	refused wrong-rustc-refused "rustc 1.85.1" "rustc 1.96.0" "install rustc" -- \
		"PATH=/tmp/other-rustc:\$PATH $prepare $release"
	# No linux-source, or another version of it: the build stops, naming what to install.
	refused missing-source-refused "no kernel source for $release" "install linux-source-7.3=$DISTRO_KERNEL_VERSION" -- \
		"sed '/^Package: linux-source-7.3\$/,/^\$/d' /var/lib/dpkg/status >/tmp/status &&
		mount --bind /tmp/status /var/lib/dpkg/status && $prepare $release"
	refused mismatched-source-refused "$DISTRO_KERNEL_VERSION" "7.3.4-9" "install linux-source-7.3=$DISTRO_KERNEL_VERSION" -- \
		"sed '/^Package: linux-source-7.3\$/,/^\$/s/^Version: .*/Version: 7.3.4-9/' /var/lib/dpkg/status >/tmp/status &&
		mount --bind /tmp/status /var/lib/dpkg/status && $prepare $release"
	refused unknown-release-refused "no headers for kernel 7.3.99-amd64" "install linux-headers-7.3.99-amd64" -- \
		"$prepare 7.3.99-amd64"
	ktap_finish
} >"$results/distro-build.log" 2>&1
cat "$results/distro-build.log" | grep -E '^# (PASS|FAIL)' || true
