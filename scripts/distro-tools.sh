#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Usage: distro-tools.sh
# Stages the trixie programs the distro flavour's suites run against both drivers, once per key,
# and prints the directory: util-linux 2.41's zramctl (algorithm parameters) from the build root
# (scripts/distro-root.sh) and systemd's zram-generator $ZRAM_GENERATOR_VERSION, with trixie's
# own C library and loader under opt/trixie, and wrappers in opt/trixie/bin that run them
# through it: the guest's other programs are bookworm's.
. "$(dirname "$0")/lib.sh"

root=$("$TOP/scripts/distro-root.sh")
key=$(echo "$(basename "$root") $ZRAM_GENERATOR_VERSION" | sha256sum | cut -c1-16)
out=$CACHE/distro/tools-$key
if [ -f "$out/.ready" ]; then
	echo "$out"
	exit 0
fi

step "trixie tools: zramctl, zram-generator $ZRAM_GENERATOR_VERSION"
rm -rf "$CACHE/distro/tools-"*
tmp=$out.tmp
rm -rf "$tmp"
mkdir -p "$tmp/opt/trixie/bin"
in_root "$root" sh -c "cd /tmp && rm -f systemd-zram-generator_*.deb &&
	apt-get download -qq systemd-zram-generator=$ZRAM_GENERATOR_VERSION" >"$CACHE/distro/tools.log" 2>&1 ||
	die "apt-get download systemd-zram-generator=$ZRAM_GENERATOR_VERSION failed, see $CACHE/distro/tools.log"
dpkg-deb -x "$root"/tmp/systemd-zram-generator_*.deb "$tmp/opt/trixie"
rm -f "$root"/tmp/systemd-zram-generator_*.deb
generator=/usr/lib/systemd/system-generators/zram-generator
[ -x "$tmp/opt/trixie$generator" ] || die "the package has no $generator"

# stage BIN: copies trixie's BIN (from the root, else from the package staged above) and the
# libraries it needs, as the root's loader resolves them, under opt/trixie, and writes a wrapper
# named after it that runs it with trixie's loader.
stage() {
	local bin=$1 name lib loader needs
	name=$(basename "$bin")
	[ -e "$tmp/opt/trixie$bin" ] || install -D "$root$bin" "$tmp/opt/trixie$bin"
	mkdir -p "$root/tmp/raoe-stage"
	cp "$tmp/opt/trixie$bin" "$root/tmp/raoe-stage/$name"
	needs=$(in_root "$root" ldd "/tmp/raoe-stage/$name") || die "ldd $bin in the root failed"
	rm -rf "$root/tmp/raoe-stage"
	for lib in $(grep -oE '/[^ ]+\.so[^ ]*' <<<"$needs"); do
		[ -e "$tmp/opt/trixie$lib" ] || install -D "$(readlink -f "$root$lib")" "$tmp/opt/trixie$lib"
	done
	loader=$(grep -oE '/[^ ]*ld-linux[^ ]*' <<<"$needs")
	cat >"$tmp/opt/trixie/bin/$name" <<WRAPPER
#!/bin/sh
# trixie's $name, with trixie's C library.
exec /opt/trixie$loader --library-path /opt/trixie/lib/x86_64-linux-gnu:/opt/trixie/usr/lib/x86_64-linux-gnu /opt/trixie$bin "\$@"
WRAPPER
	chmod 0755 "$tmp/opt/trixie/bin/$name"
}
stage /usr/sbin/zramctl
stage "$generator"
touch "$tmp/.ready"
mv "$tmp" "$out"
echo "$out"
