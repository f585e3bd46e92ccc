#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Usage: mkinitramfs.sh [--bench] [--dkms] [--raoe-as-aoe AOE.ko] [--kunit DIR] KBUILD OUT.cpio
#        MODULE.ko...
# Packs busybox, kmod, the host tools the guest tests need (with their shared libraries), the
# kernel modules the suites use (qemu/guest-modules) and those ours depend on, ours, the guest
# init and tests into a cpio made by the kernel's gen_init_cpio.
# --bench adds a static fio (scripts/build-fio.sh) for the bench suites.
# --dkms: our modules were installed by the DKMS package (FLAVOR=distro): they go where DKMS
# puts them (updates/dkms), and the guest gets its `dkms status` and their checksums in
# /etc/raoe-rzram (scripts/distro-modules.sh wrote them beside the modules), and trixie's
# zramctl and zram-generator in /opt/trixie (scripts/distro-tools.sh).
# --raoe-as-aoe: raoe built as aoe.ko (Kbuild's RAOE_MODULE_NAME=aoe), kept in /opt/raoe-as-aoe
# for the suites that put it in aoe.ko's place (tests/guest/aoe-lib.sh).
# --kunit: DIR holds raoe.ko and rzram.ko built with their KUnit tests (Kbuild's
# RAOE_RZRAM_KUNIT=1), kept in /opt/kunit for the kunit suite.
. "$(dirname "$0")/lib.sh"

bench=
dkms=
as_aoe=
kunit=
while [ $# -gt 0 ]; do
	case "$1" in
	--bench) bench=1 ;;
	--dkms) dkms=1 ;;
	--raoe-as-aoe) as_aoe=$2 && shift ;;
	--kunit) kunit=$2 && shift ;;
	*) break ;;
	esac
	shift
done
kbuild=${1:?KBUILD}
out=${2:?OUT.cpio}
shift 2

# Host programs copied with their libraries. Scripts (aoetools) need bash, sed, awk: busybox.
# Debian's fio is left out: its ceph and ICU libraries (80 MB) would fill a small swap-test guest.
host_bins="/bin/bash /usr/sbin/ip /usr/sbin/tc /usr/sbin/vblade /usr/sbin/mkswap
/usr/sbin/swapon /usr/sbin/swapoff /usr/sbin/zramctl /usr/sbin/blkdiscard /usr/bin/dd
/usr/sbin/mkfs.ext4 /usr/sbin/mke2fs /usr/sbin/e2fsck /usr/sbin/fsck.ext4 /usr/sbin/aoeping
/usr/sbin/aoecfg /usr/bin/cmp /sbin/aoe-stat /sbin/aoe-discover /sbin/aoe-flush
/sbin/aoe-interfaces /sbin/aoe-revalidate /sbin/aoe-version /sbin/aoe-mkdevs /sbin/aoe-mkshelf
/sbin/aoe-sancheck /usr/sbin/sfdisk /usr/sbin/hdparm"

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

# kmod, as on a distribution: it loads Debian's xz-compressed, signed modules and reads their
# signer; busybox's modutils do neither.
copy_with_libs /usr/bin/kmod
for tool in modprobe insmod rmmod lsmod modinfo depmod; do
	rm -f "$root/sbin/$tool" "$root/usr/sbin/$tool" "$root/bin/$tool"
	ln -s /usr/bin/kmod "$root/sbin/$tool"
done

step "initramfs modules"
release=$(cat "$kbuild/include/config/kernel.release")
modroot=$kbuild/modroot
moddir=lib/modules/$release
ours=$moddir/extra
[ -z "$dkms" ] || ours=$moddir/updates/dkms
mkdir -p "$root/$ours"
# The suites' modules and those ours need, each with its dependencies; built-in ones are skipped.
wanted=$(grep -v '^#' "$TOP/qemu/guest-modules")
for ko in "$@"; do
	cp "$ko" "$root/$ours/"
	wanted="$wanted $(modinfo -F depends "$ko" | tr ',' ' ')"
done
for mod in $wanted; do
	deps=$(modprobe -D -d "$modroot" -S "$release" "$mod" 2>&1) || die "module $mod: $deps"
	for file in $(echo "$deps" | awk '$1 == "insmod" { print $2 }'); do
		dst=$root/${file#"$modroot"/}
		mkdir -p "$(dirname "$dst")"
		cp "$file" "$dst"
	done
done
cp "$modroot/$moddir"/modules.{builtin,builtin.modinfo,order} "$root/$moddir/"
depmod -b "$root" "$release" || die "depmod failed"
if [ -n "$as_aoe" ]; then
	mkdir -p "$root/opt/raoe-as-aoe"
	cp "$as_aoe" "$root/opt/raoe-as-aoe/"
fi
if [ -n "$kunit" ]; then
	mkdir -p "$root/opt/kunit"
	cp "$kunit"/raoe.ko "$kunit"/rzram.ko "$root/opt/kunit/"
fi
if [ -n "$dkms" ]; then
	mkdir -p "$root/etc/raoe-rzram"
	cp "$(dirname "$1")/dkms-status.txt" "$(dirname "$1")/sha256sums" "$root/etc/raoe-rzram/"
	# trixie's zramctl and zram-generator (scripts/distro-tools.sh) for the zram-tools suite,
	# and what zram-generator runs after setting a device up.
	tools=$("$TOP/scripts/distro-tools.sh") || die "no trixie tools"
	cp -a "$tools/opt/trixie" "$root/opt/"
	install -D "$TOP/qemu/systemd-makefs" "$root/usr/lib/systemd/systemd-makefs"
fi

step "initramfs init and tests"
cp "$TOP/qemu/init" "$root/init"
cp -r "$TOP/tests/guest" "$root/tests/guest"
# The kernel tree's own zram selftests, unchanged, as kselftest installs them (TEST_PROGS and
# TEST_FILES of their Makefile in zram/): the zram-selftests suite runs them.
selftests=$KERNEL_SRC/tools/testing/selftests/zram
mkdir -p "$root/opt/kselftest/zram"
for file in $(sed -n 's/^TEST_\(PROGS\|FILES\) *:= *//p' "$selftests/Makefile"); do
	cp "$selftests/$file" "$root/opt/kselftest/zram/" || die "no zram selftest $selftests/$file"
done
[ -x "$root/opt/kselftest/zram/zram.sh" ] || die "no zram selftests in $selftests"
# As the DKMS package installs it (commented out): the suites turn rzram's zram names on with it.
mkdir -p "$root/etc/modprobe.d"
cp "$TOP/dkms/debian/rzram-as-zram.conf" "$root/etc/modprobe.d/"
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
