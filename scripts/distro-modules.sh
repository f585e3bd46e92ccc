#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Usage: distro-modules.sh OUT_DIR
# The modules of the distro flavour, made as a user of Debian's kernel makes them: `make deb`'s
# package is installed with apt in the trixie build root (scripts/distro-root.sh), whose DKMS
# builds raoe and rzram for Debian's release. Copies what DKMS installed into OUT_DIR, with its
# `dkms status` line, the build log and the files' checksums (scripts/distro-checks.sh judges them).
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
	cp "$deb" "$root/tmp/"
	log=$out/apt-install.log
	in_root "$root" sh -c "(dpkg -s raoe-rzram-dkms >/dev/null 2>&1 && apt-get purge -y -qq raoe-rzram-dkms || true) &&
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq /tmp/$(basename "$deb")" >"$log" 2>&1 ||
		die "apt install of the package failed, see $log (tail: $(tail -n 5 "$log"))"
	mkdir -p "$(dirname "$installed")"
	sha256sum <"$deb" >"$installed"
fi

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
