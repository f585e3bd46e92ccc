#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Usage: build-modules.sh RELEASE
# DKMS build step, run in the package's build directory: builds raoe.ko and rzram.ko against the
# tree prepare-kernel-tree.sh made for RELEASE (the pre-build step), with the kernel's compiler.
. "$(dirname "$0")/lib.sh"

release=${1:?usage: build-modules.sh RELEASE}
tree=$("$(dirname "$0")/prepare-kernel-tree.sh" "$release")
exec make -j"$(nproc)" -C "$tree" M="$PWD" CC="$(kernel_cc "$tree/.config")" KERNELRELEASE="$release" modules
