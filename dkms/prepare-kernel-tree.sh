#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Usage: prepare-kernel-tree.sh RELEASE
# DKMS pre-build step: makes the kernel tree that raoe and rzram build against for kernel RELEASE
# and prints its path. A distribution's headers hold the kernel's config and Module.symvers but
# not its rust/ directory (the `kernel` crate's metadata, the procedural macros, the target
# spec), so this rebuilds that from the installed linux-source of the same version, with the
# release's own config, compiler and rustc, and checks that nothing came out different. The tree
# stays in /var/cache/raoe-rzram/RELEASE until one of its inputs changes.
. "$(dirname "$0")/lib.sh"

release=${1:?usage: prepare-kernel-tree.sh RELEASE}
# Bump when this script changes what it builds: every cached tree is then rebuilt.
recipe=1

headers=$(readlink -f "/lib/modules/$release/build" 2>/dev/null) || true
[ -n "$headers" ] && [ -f "$headers/.config" ] ||
	die "no headers for kernel $release: install linux-headers-$release"
config=$headers/.config
grep -qx CONFIG_RUST=y "$config" ||
	die "kernel $release was built without Rust support (CONFIG_RUST is not set): raoe and rzram need a kernel with CONFIG_RUST=y (Debian: linux-image-7.3.4+deb13-amd64 from trixie-backports)"

# The exact rustc: a Rust symbol's name carries a hash of the compiler's version, so a module
# built by another rustc links against names the kernel does not export.
want_rustc=$(config_value "$config" RUSTC_VERSION_TEXT)
have_rustc=$(rustc --version 2>/dev/null) || have_rustc="no rustc"
want_release=$(echo "$want_rustc" | cut -d' ' -f2)
if [ "$want_rustc" != "$have_rustc" ]; then
	candidate=$(apt-cache madison rustc 2>/dev/null | awk -F'|' -v v="$want_release" \
		'{ gsub(/ /, "", $2) } index($2, v "+") == 1 || index($2, v "-") == 1 { print $2; exit }') || true
	if [ -n "$candidate" ]; then
		hint="apt install rustc=$candidate rust-src=$candidate"
	else
		hint="no rustc $want_release is in your apt sources ('apt-cache policy rustc' lists them)"
	fi
	die "kernel $release was built with $want_rustc, but the rustc installed is: $have_rustc. Rust modules must be built with exactly the kernel's compiler: install rustc and rust-src $want_release ($hint)"
fi
[ -d "$(rustc --print sysroot)/lib/rustlib/src/rust/library/core" ] ||
	die "rustc $want_release has no library sources: install rust-src $want_release"
command -v bindgen >/dev/null || die "bindgen is not installed: install bindgen"
cc=$(kernel_cc "$config")
command -v "$cc" >/dev/null ||
	die "kernel $release was built with $(config_value "$config" CC_VERSION_TEXT): install $cc (Debian: gcc-14)"

# The source of the very same kernel version: the headers' package and linux-source must agree.
series=$(echo "$release" | sed -E 's/^([0-9]+\.[0-9]+).*/\1/')
source_pkg=linux-source-$series
headers_pkg=$(dpkg-query -S "$headers" 2>/dev/null | head -n1 | cut -d: -f1) || true
[ -n "$headers_pkg" ] || die "the headers in $headers belong to no Debian package: cannot tell which linux-source matches kernel $release"
want_version=$(dpkg-query -W -f='${Version}' "$headers_pkg")
have_version=$(dpkg-query -W -f='${db:Status-Status} ${Version}' "$source_pkg" 2>/dev/null | sed -n 's/^installed //p') || true
[ -n "$have_version" ] ||
	die "no kernel source for $release (Debian $want_version): install $source_pkg=$want_version"
[ "$have_version" = "$want_version" ] ||
	die "kernel $release is Debian $want_version but $source_pkg is $have_version: install $source_pkg=$want_version"
tarball=/usr/src/$source_pkg.tar.xz
[ -f "$tarball" ] || die "$tarball is missing: reinstall $source_pkg"

key=$({
	echo "recipe $recipe $release $headers_pkg $want_version $source_pkg $have_version"
	echo "$have_rustc"
	bindgen --version
	"$cc" --version | head -n1
	sha256sum <"$config"
	sha256sum <"$headers/Module.symvers"
} | sha256sum | cut -c1-16)
out=$TREE_CACHE/$release
tree=$out/build
mkdir -p "$TREE_CACHE"
# One preparation at a time per release (DKMS may build for several kernels at once).
exec 9>"$TREE_CACHE/.$release.lock"
flock 9
if [ "$(cat "$out/key" 2>/dev/null)" = "$key" ]; then
	echo "$tree"
	exit 0
fi

echo "raoe-rzram: preparing the Rust kernel tree of $release in $out (a few minutes, once)" >&2
rm -rf "$out"
mkdir -p "$out" "$tree"
log=$out/prepare.log
tar -C "$out" -xf "$tarball" || die "cannot unpack $tarball"
mv "$out/$source_pkg" "$out/src"
cp "$config" "$tree/.config"
cp "$headers/Module.symvers" "$tree/Module.symvers"
# The BTF-only vmlinux lets modules carry their BTF, as Debian's own do.
[ ! -f "$headers/vmlinux" ] || cp "$headers/vmlinux" "$tree/vmlinux"

kmake() {
	make -C "$out/src" O="$tree" CC="$cc" HOSTCC="$cc" KERNELRELEASE="$release" "$@" >>"$log" 2>&1
}
kmake olddefconfig || die "olddefconfig failed, see $log"
# The config must come out as the kernel was built: a difference means another compiler, a
# missing pahole (BTF options drop) or another rustc, and struct layouts that differ.
changed=$(diff <(grep -E '^(CONFIG_|# CONFIG_)' "$config" | sort) <(grep -E '^(CONFIG_|# CONFIG_)' "$tree/.config" | sort) |
	grep -E '^[<>]' | head -n 8 | tr '\n' ' ') || true
[ -z "$changed" ] ||
	die "the build environment differs from the one kernel $release was built in; olddefconfig changed: $changed(is dwarves/pahole installed? the same $cc?)"
kmake -j"$(nproc)" modules_prepare || die "modules_prepare failed, see $log (tail: $(tail -n 3 "$log"))"
[ -f "$tree/rust/libkernel.rmeta" ] || die "modules_prepare built no rust/libkernel.rmeta, see $log"
[ "$(cat "$tree/include/config/kernel.release")" = "$release" ] ||
	die "the prepared tree says release $(cat "$tree/include/config/kernel.release"), not $release"
# The symbols the modules link against are the running kernel's, not a rebuild's.
cp "$headers/Module.symvers" "$tree/Module.symvers"
echo "$key" >"$out/key"
echo "$tree"
