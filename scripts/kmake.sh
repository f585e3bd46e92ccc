#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Usage: kmake.sh FLAVOR TARGET... — runs kbuild for our out-of-tree modules against the cached
# kernel of that flavour, with the kernel's Rust lints as errors (CLIPPY=1 W=e).
. "$(dirname "$0")/lib.sh"

flavor=${1:?FLAVOR}
shift
kdir=$("$TOP/scripts/build-kernel.sh" "$flavor")
mkdir -p "$TOP/build/$flavor/modules"
exec make -s -C "$kdir" M="$TOP" MO="$TOP/build/$flavor/modules" RUSTC=rustc BINDGEN=bindgen \
	CLIPPY=1 W=e "$@"
