#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Usage: build-kernel.sh debug|perf|kasan|distro
# Builds the guest kernel of that flavour into the cache, once per (kernel source, fragments,
# toolchain) and prints the build directory. A warm call only computes the key. kasan is the
# debug kernel plus KASAN, built by Clang 19.
. "$(dirname "$0")/lib.sh"

flavor=${1:?usage: build-kernel.sh debug|perf|kasan|distro}
# Debian's kernel is fetched, not built.
[ "$flavor" != distro ] || exec "$TOP/scripts/distro-kernel.sh"
frags=("$TOP/qemu/common.config" "$TOP/qemu/$flavor.config")
[ -f "${frags[1]}" ] || die "no fragment qemu/$flavor.config"
read -ra make_args <<<"$(kernel_make_args "$flavor")"
if [ "$flavor" = kasan ]; then
	frags=("$TOP/qemu/common.config" "$TOP/qemu/debug.config" "$TOP/qemu/kasan.config")
	# shellcheck disable=SC2086
	install_packages $KASAN_PACKAGES
fi

step "kernel key ($flavor)"
key=$({
	echo "$KERNEL_SRC_VERSION"
	/usr/bin/rustc --version
	"$BINDGEN_ROOT/bin/bindgen" --version
	echo "libclang $LIBCLANG_WHEEL_VERSION"
	gcc --version | head -n1
	[ "$flavor" != kasan ] || clang-19 --version | head -n1
	echo "build recipe $KERNEL_BUILD_REV"
	cat "${frags[@]}"
} | sha256sum | cut -c1-16)
out=$CACHE/kernel/$flavor-$key
if [ -f "$out/.built" ]; then
	echo "$out"
	exit 0
fi

kmake() {
	make -C "$KERNEL_SRC" O="$out" RUSTC=rustc BINDGEN=bindgen "${make_args[@]}" "$@"
}

step "kernel config ($flavor)"
# One build per flavour is kept: older keys are stale.
rm -rf "$out" "$CACHE/kernel/$flavor-"*
mkdir -p "$out"
kmake -s tinyconfig >"$out/config.log" 2>&1 || die "tinyconfig failed, see $out/config.log"
(cd "$out" && "$KERNEL_SRC/scripts/kconfig/merge_config.sh" -m .config "${frags[@]}") >>"$out/config.log" 2>&1 ||
	die "merge_config failed, see $out/config.log"
kmake -s olddefconfig >>"$out/config.log" 2>&1 || die "olddefconfig failed, see $out/config.log"
# Every option a fragment asks for must survive olddefconfig: a dropped one means a missing
# dependency, which would silently weaken the tests.
lost=$(grep -hE '^(CONFIG_[A-Z0-9_]+=|# CONFIG_[A-Z0-9_]+ is not set)' "${frags[@]}" | while read -r line; do
	case "$line" in
	"# "*)
		opt=${line#\# }
		opt=${opt%% *}
		if grep -q "^$opt=" "$out/.config"; then echo "$opt should be unset"; fi
		;;
	*) grep -qxF "$line" "$out/.config" || echo "$line" ;;
	esac
done)
[ -z "$lost" ] || die "options dropped by olddefconfig (missing dependencies?): $(echo $lost)"

step "kernel build ($flavor), about 6 minutes on 2 cores"
kmake -j3 bzImage modules >"$out/build.log" 2>&1 || die "kernel build failed, see $out/build.log (tail: $(tail -n 5 "$out/build.log"))"
kmake -s INSTALL_MOD_PATH="$out/modroot" INSTALL_MOD_STRIP=1 modules_install >>"$out/build.log" 2>&1 ||
	die "modules_install failed, see $out/build.log"
touch "$out/.built"
echo "$out"
