#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Usage: build-modules.sh RELEASE [RAOE_MODULE_NAME]
# DKMS build step, run in the package's build directory: builds raoe (as raoe.ko, or as aoe.ko
# with RAOE_MODULE_NAME=aoe) and rzram against the tree prepare-kernel-tree.sh made for RELEASE
# (the pre-build step), with the kernel's compiler.
. "$(dirname "$0")/lib.sh"

release=${1:?usage: build-modules.sh RELEASE [RAOE_MODULE_NAME]}
tree=$("$(dirname "$0")/prepare-kernel-tree.sh" "$release")
exec make -j"$(nproc)" -C "$tree" M="$PWD" CC="$(kernel_cc "$tree/.config")" KERNELRELEASE="$release" \
	RAOE_MODULE_NAME="${2:-raoe}" modules
