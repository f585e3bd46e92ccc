#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Usage: distro-kernel.sh
# The guest kernel of the distro flavour is Debian's own, not a build: fetches the pinned
# linux-binary (the signed vmlinuz), linux-modules and linux-base (config, modules.builtin)
# packages once and lays them out as a kernel
# build directory the harness can use like the others (arch/x86/boot/bzImage,
# include/config/kernel.release, modroot/lib/modules, usr/gen_init_cpio). Prints its path.
. "$(dirname "$0")/lib.sh"

release=$DISTRO_KERNEL_RELEASE
version=$DISTRO_KERNEL_VERSION
step "distro kernel $release ($version)"
# Bump recipe when this script changes what it lays out.
recipe=2
key=$(echo "$release $version $DISTRO_KERNEL_SUITE recipe $recipe" | sha256sum | cut -c1-16)
out=$CACHE/kernel/distro-$key
if [ -f "$out/.built" ]; then
	echo "$out"
	exit 0
fi
rm -rf "$out" "$CACHE/kernel/distro-"*
mkdir -p "$out/pkg" "$out/arch/x86/boot" "$out/include/config" "$out/usr" "$out/modroot/lib"

private_apt "$CACHE/apt-distro" "deb [trusted=yes] $(debian_mirror) $DISTRO_KERNEL_SUITE main"
packages=("linux-binary-$release=$version" "linux-modules-$release=$version" "linux-base-$release=$version")
(cd "$CACHE/apt-distro/archives" && apt-get "${APT_OPTS[@]}" download -qq "${packages[@]}") ||
	die "apt-get download ${packages[*]} failed (is $version still on the mirror? update scripts/versions.env)"
for deb in "$CACHE/apt-distro/archives/"linux-{binary,modules,base}-"$release"_*.deb; do
	dpkg-deb -x "$deb" "$out/pkg" || die "dpkg-deb -x $deb failed"
	rm -f "$deb"
done

modules=$out/pkg/usr/lib/modules/$release
[ -f "$modules/vmlinuz" ] || die "linux-binary-$release has no /usr/lib/modules/$release/vmlinuz"
mv "$modules/vmlinuz" "$out/arch/x86/boot/bzImage"
mv "$modules/config" "$out/.config"
echo "$release" >"$out/include/config/kernel.release"
# Debian's modules, as shipped (xz-compressed, signed); mkinitramfs.sh takes what a guest needs.
mv "$out/pkg/usr/lib/modules" "$out/modroot/lib/modules"
rm -rf "$out/pkg"
# Packages leave modules.dep to the installing system's depmod.
depmod -b "$out/modroot" "$release" || die "depmod of Debian's modules failed"
[ -f "$out/modroot/lib/modules/$release/kernel/drivers/block/aoe/aoe.ko.xz" ] ||
	die "Debian's modules have no aoe.ko.xz"
# The cpio writer of the kernel's own tree, as the other flavours have it.
gcc -O2 -o "$out/usr/gen_init_cpio" "$KERNEL_SRC/usr/gen_init_cpio.c" || die "cannot build gen_init_cpio"
touch "$out/.built"
echo "$out"
