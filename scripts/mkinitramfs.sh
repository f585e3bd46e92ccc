#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Usage: mkinitramfs.sh [--bench] KBUILD OUT.cpio MODULE.ko...
# Packs busybox, the host tools the guest tests need (with their shared libraries), the kernel's
# modules plus ours, the guest init and tests into a cpio made by the kernel's gen_init_cpio.
# --bench adds a static fio (scripts/build-fio.sh) for the bench suites.
. "$(dirname "$0")/lib.sh"

bench=
[ "${1:-}" != --bench ] || { bench=1 && shift; }
kbuild=${1:?KBUILD}
out=${2:?OUT.cpio}
shift 2

# Host programs copied with their libraries. Scripts (aoetools) need bash, sed, awk: busybox.
# Debian's fio is left out: its ceph and ICU libraries (80 MB) would fill a small swap-test guest.
host_bins="/bin/bash /usr/sbin/ip /usr/sbin/tc /usr/sbin/vblade /usr/sbin/mkswap
/usr/sbin/swapon /usr/sbin/swapoff /usr/sbin/zramctl /usr/sbin/blkdiscard /usr/bin/dd
/usr/sbin/mkfs.ext4 /usr/sbin/mke2fs /usr/sbin/e2fsck /usr/sbin/fsck.ext4 /usr/sbin/aoeping
/usr/sbin/aoecfg /usr/bin/cmp /sbin/aoe-stat /sbin/aoe-discover /sbin/aoe-flush
/sbin/aoe-interfaces /sbin/aoe-revalidate /sbin/aoe-version /usr/sbin/sfdisk /usr/sbin/hdparm"

step "initramfs tree"
root=$(dirname "$out")/initramfs-root
rm -rf "$root"
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,lib,lib64,dev,proc,sys,tmp,mnt,run,etc,root,var/tmp,tests}
busybox=/bin/busybox
[ -x "$busybox" ] || die "busybox-static is not installed"
cp "$busybox" "$root/bin/busybox"
for applet in $("$busybox" --list-full); do
	[ -e "$root/$applet" ] || ln -s /bin/busybox "$root/$applet"
done

copy_with_libs() {
	local src=$1 dst=$root$1 lib
	mkdir -p "$(dirname "$dst")"
	rm -f "$dst"
	cp -L "$src" "$dst"
	# Scripts have no libraries; ldd says "not a dynamic executable".
	for lib in $(ldd "$src" 2>/dev/null | grep -oE '/[^ ]+\.so[^ ]*'); do
		[ -e "$root$lib" ] || { mkdir -p "$root$(dirname "$lib")" && cp -L "$lib" "$root$lib"; }
	done
}
for bin in $host_bins; do
	[ -e "$bin" ] || die "$bin is missing (bootstrap installs it)"
	copy_with_libs "$bin"
done
# Our host-built test tools: the binary of every workspace member that has one.
for member in "$TOP"/tests/tools/*/src/main.rs; do
	tool=$TOP/tests/tools/target/release/$(basename "$(dirname "$(dirname "$member")")")
	[ -x "$tool" ] || die "$tool is not built"
	mkdir -p "$root/usr/bin"
	cp "$tool" "$root/usr/bin/"
	for lib in $(ldd "$tool" | grep -oE '/[^ ]+\.so[^ ]*'); do
		[ -e "$root$lib" ] || { mkdir -p "$root$(dirname "$lib")" && cp -L "$lib" "$root$lib"; }
	done
done

if [ -n "$bench" ]; then
	fio=$("$TOP/scripts/build-fio.sh") || die "no fio for the bench guest"
	cp "$fio" "$root/usr/bin/fio"
fi

step "initramfs modules"
release=$(cat "$kbuild/include/config/kernel.release")
cp -a "$kbuild/modroot/lib/modules" "$root/lib/"
mkdir -p "$root/lib/modules/$release/extra"
for ko in "$@"; do
	cp "$ko" "$root/lib/modules/$release/extra/"
done
depmod -b "$root" "$release" || die "depmod failed"

step "initramfs init and tests"
cp "$TOP/qemu/init" "$root/init"
cp -r "$TOP/tests/guest" "$root/tests/guest"
echo "root:x:0:0:root:/root:/bin/sh" >"$root/etc/passwd"
echo "root:x:0:" >"$root/etc/group"

step "initramfs cpio"
list=$out.list
{
	(cd "$root" && find . -mindepth 1 | sort) | while read -r p; do
		p=${p#.}
		mode=$(stat -c '%a' "$root$p")
		if [ -L "$root$p" ]; then
			echo "slink $p $(readlink "$root$p") $mode 0 0"
		elif [ -d "$root$p" ]; then
			echo "dir $p $mode 0 0"
		else
			echo "file $p $root$p $mode 0 0"
		fi
	done
	echo "nod /dev/console 0600 0 0 c 5 1"
} >"$list"
"$kbuild/usr/gen_init_cpio" "$list" >"$out" || die "gen_init_cpio failed"
echo "$out"
