#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Installs everything the build and the tests need on a fresh machine. Idempotent: each step
# checks whether its result is already there.
. "$(dirname "$0")/lib.sh"

mkdir -p "$CACHE/tools" "$CACHE/src"

# Tools only the guest suites use (mkinitramfs.sh packs them): hdparm for HDIO_GET_IDENTITY,
# fdisk for sfdisk. Kept out of versions.env so adding one does not touch the kernel key file.
GUEST_PACKAGES="hdparm fdisk"
# matplotlib draws the `make bench` chart; kept out of versions.env for the same reason.
BENCH_PACKAGES="python3-matplotlib"
# debootstrap makes the Debian trixie build root of the distro flavour (scripts/distro-root.sh).
DISTRO_PACKAGES="debootstrap"

step "host packages"
# shellcheck disable=SC2086
install_packages $HOST_PACKAGES $GUEST_PACKAGES $BENCH_PACKAGES $DISTRO_PACKAGES
dpkg-query -W $HOST_PACKAGES $GUEST_PACKAGES $BENCH_PACKAGES $DISTRO_PACKAGES >"$CACHE/host-packages.txt"

step "rustc $RUSTC_RELEASE (rustc-web)"
have=$(/usr/bin/rustc --version | awk '{print $2}')
case "$have" in
"$RUSTC_RELEASE".*) ;;
*) die "/usr/bin/rustc is $have, expected $RUSTC_RELEASE.x" ;;
esac
inst=$(dpkg-query -W -f='${Version}' rustc-web)
[ "$inst" = "$RUSTC_WEB_VERSION" ] ||
	printf '    note: rustc-web %s installed, %s pinned (same release, continuing)\n' "$inst" "$RUSTC_WEB_VERSION" >&2
[ -d /usr/lib/rustlib/src/rust/library/core ] || die "rust-web-src did not install the core sources"

step "bindgen-cli $BINDGEN_CLI_VERSION"
if ! "$BINDGEN_ROOT/bin/bindgen" --version 2>/dev/null | grep -q "$BINDGEN_CLI_VERSION"; then
	# rustup's cargo builds this host tool; the kernel itself uses rustc-web.
	"$HOME/.cargo/bin/cargo" install --quiet --locked --root "$BINDGEN_ROOT" \
		--version "$BINDGEN_CLI_VERSION" bindgen-cli || die "cargo install bindgen-cli failed"
fi

step "libclang $LIBCLANG_WHEEL_VERSION (PyPI wheel)"
if [ ! -e "$LIBCLANG_PATH/libclang.so" ]; then
	python3 -m pip install --quiet --root-user-action=ignore --no-deps --target "$LIBCLANG_DIR" \
		"libclang==$LIBCLANG_WHEEL_VERSION" || die "pip install libclang failed"
fi

step "kernel source $KERNEL_SRC_PKG $KERNEL_SRC_VERSION"
if [ ! -f "$KERNEL_SRC/Makefile" ]; then
	private_apt "$CACHE/apt" "deb [trusted=yes] $(debian_mirror) $KERNEL_SRC_SUITE main"
	apt_dir=$CACHE/apt
	version=$KERNEL_SRC_VERSION
	if ! apt-cache "${APT_OPTS[@]}" madison "$KERNEL_SRC_PKG" | grep -qF "| $version |"; then
		die "$KERNEL_SRC_PKG $version is no longer on the mirror; available: $(apt-cache "${APT_OPTS[@]}" madison "$KERNEL_SRC_PKG" | awk -F'|' '{print $2}' | tr -d ' ' | xargs); update scripts/versions.env"
	fi
	(cd "$apt_dir/archives" && apt-get "${APT_OPTS[@]}" download -qq "$KERNEL_SRC_PKG=$version") ||
		die "apt-get download $KERNEL_SRC_PKG failed"
	deb=$(ls "$apt_dir/archives/${KERNEL_SRC_PKG}_"*.deb | head -n1)
	tmp=$CACHE/src/unpack.$$
	rm -rf "$tmp" && mkdir -p "$tmp"
	dpkg-deb -x "$deb" "$tmp" || die "dpkg-deb -x $deb failed"
	tar -C "$tmp" -xf "$tmp/usr/src/$KERNEL_SRC_PKG.tar.xz" || die "untar of the kernel source failed"
	rm -rf "$KERNEL_SRC"
	mv "$tmp/$KERNEL_SRC_PKG" "$KERNEL_SRC"
	rm -rf "$tmp" "$deb"
fi

# The bench guest's fio (scripts/build-fio.sh builds it once).
"$TOP/scripts/build-fio.sh" >/dev/null

step "rustavailable"
make -s -C "$KERNEL_SRC" O="$CACHE/rustcheck" RUSTC=/usr/bin/rustc BINDGEN="$BINDGEN_ROOT/bin/bindgen" \
	rustavailable >"$CACHE/rustavailable.log" 2>&1 || die "$(cat "$CACHE/rustavailable.log")"
step "bootstrap done"
