# SPDX-License-Identifier: GPL-2.0
# Shared by the DKMS steps: messages, and what a kernel release's headers say about how it was built.

set -eu

die() {
	printf 'raoe-rzram: %s\n' "$*" >&2
	exit 1
}

# config_value RELEASE_CONFIG NAME: the value of CONFIG_NAME, quotes removed.
config_value() {
	sed -n "s/^CONFIG_$2=\"\{0,1\}\([^\"]*\)\"\{0,1\}\$/\1/p" "$1"
}

# kernel_cc CONFIG: the C compiler the kernel was built with (the first word of its version text,
# e.g. x86_64-linux-gnu-gcc-14); modules must be built with the same.
kernel_cc() {
	config_value "$1" CC_VERSION_TEXT | cut -d' ' -f1
}

# The prepared trees, one per kernel release; they can be rebuilt at any time.
TREE_CACHE=${RAOE_RZRAM_TREE_CACHE:-/var/cache/raoe-rzram}
