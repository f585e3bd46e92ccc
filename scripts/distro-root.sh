#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Usage: distro-root.sh
# Makes the Debian trixie build root of the distro flavour, once per key, and prints its path: a
# `debootstrap --variant=minbase` root with the exact rustc Debian built its 7.3 kernel with, DKMS,
# linux-source and the kernel's headers, as a user of that kernel would install them. Run commands
# in it with in_root (scripts/lib.sh).
. "$(dirname "$0")/lib.sh"

# What the DKMS package needs (its Depends), what the kernel's Rust build needs, and what the
# suites of the distro flavour take from trixie (zramctl of util-linux 2.41).
ROOT_PACKAGES="rustc=$DISTRO_RUSTC_VERSION rust-src=$DISTRO_RUSTC_VERSION bindgen gcc-14 make flex
bison bc libelf-dev libssl-dev dwarves openssl python3 kmod xz-utils dkms
linux-source-7.3=$DISTRO_KERNEL_VERSION linux-headers-$DISTRO_KERNEL_RELEASE=$DISTRO_KERNEL_VERSION"

step "distro build root key"
key=$({
	echo "$DISTRO_SUITE $DISTRO_KERNEL_SUITE $DISTRO_KERNEL_RELEASE $DISTRO_KERNEL_VERSION"
	echo "$DISTRO_RUSTC_VERSION rev $DISTRO_ROOT_REV"
	echo "$ROOT_PACKAGES"
} | sha256sum | cut -c1-16)
root=$CACHE/distro/root-$key
if [ -f "$root/.ready" ]; then
	echo "$root"
	exit 0
fi

# One root is kept: older keys are stale.
rm -rf "$CACHE/distro/root-"*
tmp=$root.tmp
rm -rf "$tmp"
mkdir -p "$CACHE/distro"
mirror=$(debian_mirror)

step "debootstrap $DISTRO_SUITE (minbase), about 2 minutes"
command -v debootstrap >/dev/null || die "debootstrap is not installed (scripts/bootstrap.sh installs it)"
debootstrap --variant=minbase "$DISTRO_SUITE" "$tmp" "$mirror" >"$CACHE/distro/debootstrap.log" 2>&1 ||
	die "debootstrap failed, see $CACHE/distro/debootstrap.log"

step "$DISTRO_SUITE packages: rustc $DISTRO_RUSTC_VERSION, dkms, linux-source and headers $DISTRO_KERNEL_VERSION"
cat >"$tmp/etc/apt/sources.list" <<EOF
deb $mirror $DISTRO_SUITE main
deb $mirror $DISTRO_SUITE-updates main
deb ${mirror%/debian}/debian-security $DISTRO_SUITE-security main
deb $mirror $DISTRO_KERNEL_SUITE main
EOF
cp /etc/resolv.conf "$tmp/etc/resolv.conf" 2>/dev/null || true
# shellcheck disable=SC2086 # a list of packages
in_root "$tmp" sh -c "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	--no-install-recommends $(echo $ROOT_PACKAGES)" >"$CACHE/distro/apt.log" 2>&1 ||
	die "apt-get install in the build root failed, see $CACHE/distro/apt.log"
in_root "$tmp" apt-get clean
touch "$tmp/.ready"
mv "$tmp" "$root"
echo "$root"
