#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Usage: kmake.sh FLAVOR TARGET... — runs kbuild for our out-of-tree modules against the cached
# kernel of that flavour, with the kernel's Rust lints as errors (CLIPPY=1 W=e), into
# build/FLAVOR/modules; with RAOE_MODULE_NAME=aoe (raoe built as aoe.ko, see Kbuild) into
# build/FLAVOR/modules-as-aoe; with RAOE_RZRAM_KUNIT=1 (the KUnit tests built in) into
# build/FLAVOR/modules-kunit.
. "$(dirname "$0")/lib.sh"

flavor=${1:?FLAVOR}
shift
name=${RAOE_MODULE_NAME:-raoe}
out=$TOP/build/$flavor/modules
[ "$name" = raoe ] || out=$out-as-$name
[ "${RAOE_RZRAM_KUNIT:-0}" = 0 ] || out=$out-kunit
kdir=$("$TOP/scripts/build-kernel.sh" "$flavor")
read -ra make_args <<<"$(kernel_make_args "$flavor")"
mkdir -p "$out"
exec make -s -C "$kdir" M="$TOP" MO="$out" RUSTC=rustc BINDGEN=bindgen "${make_args[@]}" \
	CLIPPY=1 W=e RAOE_MODULE_NAME="$name" RAOE_RZRAM_KUNIT="${RAOE_RZRAM_KUNIT:-0}" "$@"
