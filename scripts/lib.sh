# SPDX-License-Identifier: GPL-2.0
# Shared shell helpers: cache location, progress lines, failure messages.

set -euo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=versions.env
. "$TOP/scripts/versions.env"
# The package's version (the DKMS package's, and each module's modinfo version).
PACKAGE_VERSION=$(cat "$TOP/VERSION")

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

# private_apt DIR SOURCES_LINE: sets APT_OPTS to an apt state of its own in DIR (the system's
# apt configuration is left alone) with the one sources.list line given, and updates it. The
# mirror to put in the line is the one the system already uses: debian_mirror.
private_apt() {
	local dir=$1
	mkdir -p "$dir/lists/partial" "$dir/archives/partial" "$dir/sources.list.d"
	echo "$2" >"$dir/sources.list"
	APT_OPTS=(-o "Dir::State::Lists=$dir/lists" -o "Dir::Etc::SourceList=$dir/sources.list"
		-o "Dir::Etc::SourceParts=$dir/sources.list.d" -o "Dir::Cache::Archives=$dir/archives"
		-o "Dir::State::Status=/dev/null" -o "APT::Get::List-Cleanup=0" -o "APT::Sandbox::User=root")
	apt-get "${APT_OPTS[@]}" update -qq || die "apt-get update of '$2' failed"
}

# install_packages PKG...: installs those of Debian's packages that are missing.
install_packages() {
	local missing=() pkg
	for pkg in "$@"; do
		dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
	done
	[ ${#missing[@]} -gt 0 ] || return 0
	printf '    installing: %s\n' "${missing[*]}" >&2
	DEBIAN_FRONTEND=noninteractive apt-get update -qq || die "apt-get update failed"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" \
		>"$CACHE/apt.log" 2>&1 || die "apt-get install failed, see $CACHE/apt.log"
}

# kernel_make_args FLAVOR: the make variables of that flavour's kernel and module builds. The
# kasan kernel is built by Clang 19 from bookworm (KASAN_PACKAGES).
KASAN_PACKAGES="clang-19 lld-19 llvm-19"
kernel_make_args() {
	case "$1" in
	kasan) echo "LLVM=-19" ;;
	esac
}

debian_mirror() {
	local mirror
	mirror=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
	[ -n "$mirror" ] || mirror=$(awk '$1 == "deb" && $3 ~ /^bookworm$/ {print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
	[ -n "$mirror" ] || die "cannot find the Debian mirror in the system's apt sources"
	echo "$mirror"
}

# in_root ROOT CMD...: runs CMD chrooted in ROOT (the distro build root, scripts/distro-root.sh)
# with /proc, /sys and /dev mounted in a mount namespace of its own: nothing stays mounted after.
in_root() {
	local root=$1
	shift
	unshare --mount --propagation private -- sh -c 'r=$1; shift
		mount -t proc proc "$r/proc" && mount --rbind /sys "$r/sys" && mount --rbind /dev "$r/dev" &&
		exec chroot "$r" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 "$@"' \
		in_root "$root" "$@"
}
