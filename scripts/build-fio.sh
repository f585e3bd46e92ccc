#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Usage: build-fio.sh — prints the path of a static fio for the bench guest, built once from
# Debian's source package into the cache. Debian's own fio binary links ceph and ICU (80 MB of
# libraries); this one has every optional engine off and weighs about 3 MB. io_uring, psync and
# posixaio are built in (fio's io_uring engine needs no liburing), which is what the guest uses.
. "$(dirname "$0")/lib.sh"

# The bookworm source package; its upstream tarball is built without Debian's patches (packaging
# and documentation only).
FIO_SRC_VERSION=3.33-3
FIO_SRC_SUITE=bookworm
out=$CACHE/tools/fio-$FIO_SRC_VERSION/fio

if [ ! -x "$out" ]; then
	step "fio $FIO_SRC_VERSION (static, from the Debian source package)"
	work=$CACHE/tools/fio-build.$$
	rm -rf "$work" && mkdir -p "$work"
	private_apt "$CACHE/apt-src" "deb-src [trusted=yes] $(debian_mirror) $FIO_SRC_SUITE main"
	(cd "$work" && apt-get "${APT_OPTS[@]}" source --download-only -qq "fio=$FIO_SRC_VERSION") ||
		die "apt-get source fio=$FIO_SRC_VERSION failed (no longer on the mirror? update FIO_SRC_VERSION)"
	tar -C "$work" -xzf "$work/fio_${FIO_SRC_VERSION%-*}.orig.tar.gz" || die "untar of the fio source failed"
	src=$work/fio-${FIO_SRC_VERSION%-*}
	# --disable-native: the binary runs on QEMU's CPU model, not the host's.
	(cd "$src" && ./configure --build-static --disable-native --disable-numa --disable-rdma \
		--disable-rados --disable-rbd --disable-http --disable-gfapi --disable-libnfs \
		--disable-pmem --disable-xnvme --disable-libzbc --disable-tcmalloc --disable-dfs \
		--disable-lex --disable-shm && make -j"$(nproc)") >"$work/build.log" 2>&1 ||
		die "fio build failed, see $work/build.log"
	mkdir -p "$(dirname "$out")"
	strip -o "$out" "$src/fio" || die "strip fio failed"
	rm -rf "$work"
fi
echo "$out"
