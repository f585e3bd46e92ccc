# SPDX-License-Identifier: GPL-2.0
# Shared shell helpers: cache location, progress lines, failure messages.

set -euo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=versions.env
. "$TOP/scripts/versions.env"

# Toolchain, kernel source and kernel builds live outside the clone so that a fresh clone on a
# warm machine reuses them.
CACHE=${RAOE_CACHE:-$HOME/.cache/raoe-rzram}
BINDGEN_ROOT=$CACHE/tools/bindgen-$BINDGEN_CLI_VERSION
LIBCLANG_DIR=$CACHE/tools/libclang-$LIBCLANG_WHEEL_VERSION
KERNEL_SRC=$CACHE/src/linux-$KERNEL_SRC_VERSION

# Debian's rustc-web lives in /usr/bin; rustup's shims in ~/.cargo/bin must not shadow it.
export PATH=/usr/bin:/usr/sbin:/bin:/sbin:$BINDGEN_ROOT/bin:$PATH
export LIBCLANG_PATH=$LIBCLANG_DIR/clang/native

CURRENT_STEP=""
step() {
	CURRENT_STEP=$*
	printf '==> %s\n' "$*" >&2
}
die() {
	printf 'FAILED at step "%s": %s\n' "$CURRENT_STEP" "$*" >&2
	exit 1
}
trap 'rc=$?; [ $rc -eq 0 ] || printf "FAILED at step \"%s\" (exit %d)\n" "$CURRENT_STEP" $rc >&2' EXIT
