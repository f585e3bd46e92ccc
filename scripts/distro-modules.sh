#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Usage: distro-modules.sh OUT_DIR
# The modules of the distro flavour, made as a user of Debian's kernel makes them: `make deb`'s
# package is installed with apt in the trixie build root (scripts/distro-root.sh), whose DKMS
# builds raoe and rzram for Debian's release. Copies what DKMS installed into OUT_DIR, with its
# `dkms status` line, the build log and the files' checksums (scripts/distro-checks.sh judges them),
# and into OUT_DIR-as-aoe raoe as the package builds it with RAOE_MODULE_NAME=aoe.
. "$(dirname "$0")/lib.sh"

out=${1:?OUT_DIR}
release=$DISTRO_KERNEL_RELEASE
mkdir -p "$out"
root=$("$TOP/scripts/distro-root.sh")
deb=$("$TOP/scripts/make-deb.sh" "$out")
installed=$root/var/lib/raoe-rzram-harness/installed.sha256

if [ "$(cat "$installed" 2>/dev/null)" != "$(sha256sum <"$deb")" ]; then
	step "apt install $(basename "$deb") in the $DISTRO_SUITE root (DKMS builds for $release)"
	rm -f "$installed"
	mkdir -p "$(dirname "$installed")"
	cp "$deb" "$root/tmp/"
	log=$out/apt-install.log
	# apt installs it the first time; a changed package of the same version is installed over
	# the old one by dpkg (apt would call it installed), which keeps the prepared kernel tree.
	in_root "$root" sh -c "if dpkg -s raoe-rzram-dkms >/dev/null 2>&1; then dpkg -i --force-confdef --force-confold /tmp/$(basename "$deb");
		else DEBIAN_FRONTEND=noninteractive apt-get install -y -qq /tmp/$(basename "$deb"); fi" >"$log" 2>&1 ||
		die "installing the package failed, see $log (tail: $(tail -n 5 "$log"))"
	# The package's other name for raoe, then back to the default.
	as_aoe=$root/var/lib/raoe-rzram-harness/as-aoe
	rm -rf "$as_aoe" && mkdir -p "$as_aoe"
	for name in aoe raoe; do
		in_root "$root" sh -c "sed -i 's/^RAOE_MODULE_NAME=.*/RAOE_MODULE_NAME=$name/' /etc/default/raoe-rzram &&
			dpkg-reconfigure -f noninteractive raoe-rzram-dkms" >>"$log" 2>&1 ||
			die "dpkg-reconfigure with RAOE_MODULE_NAME=$name failed, see $log"
		[ "$name" = raoe ] && break
		cp "$root/usr/lib/modules/$release/updates/dkms/"aoe.ko* "$as_aoe/" ||
			die "with RAOE_MODULE_NAME=aoe, DKMS installed no aoe.ko"
		in_root "$root" dkms status -m raoe-rzram -k "$release" >"$as_aoe/dkms-status.txt" 2>&1
	done
	sha256sum <"$deb" >"$installed"
fi
rm -rf "$out-as-aoe"
cp -r "$root/var/lib/raoe-rzram-harness/as-aoe" "$out-as-aoe"

step "what DKMS installed for $release"
in_root "$root" dkms status -m raoe-rzram -k "$release" >"$out/dkms-status.txt" 2>&1 || true
grep -q ": installed" "$out/dkms-status.txt" ||
	die "dkms status does not say installed for $release: $(cat "$out/dkms-status.txt")"
dkms_dir=$root/var/lib/dkms/raoe-rzram/$PACKAGE_VERSION
cp "$dkms_dir/build/make.log" "$out/make.log" 2>/dev/null ||
	cp "$dkms_dir/$release/x86_64/log/make.log" "$out/make.log" ||
	die "DKMS kept no make.log"
rm -f "$out"/*.ko "$out"/*.ko.*
for mod in raoe rzram; do
	file=$(ls "$root/usr/lib/modules/$release/updates/dkms/$mod".ko* 2>/dev/null | head -n1)
	[ -n "$file" ] || die "DKMS installed no $mod.ko in updates/dkms of $release"
	cp "$file" "$out/"
done
(cd "$out" && sha256sum raoe.ko* rzram.ko*) >"$out/sha256sums"
