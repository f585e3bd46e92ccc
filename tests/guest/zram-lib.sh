# SPDX-License-Identifier: GPL-2.0
# Compressed-RAM fixtures shared by the zram suites: zram.ko or rzram, device 0 and the
# control class; the names differ only by the driver's prefix.

if [ "$DRIVER" = rust ]; then
	ZMOD=rzram
else
	ZMOD=zram
fi
ZNAME=${ZMOD}0
ZDEV=/dev/$ZNAME
ZSYS=/sys/block/$ZNAME
ZCTL=/sys/class/$ZMOD-control

# Field N (1-based) of mm_stat, of device 0 or of the device whose sysfs directory is $2.
mm_stat_field() {
	awk -v n="$1" '{print $n}' "${2:-$ZSYS}/mm_stat"
}

# The algorithm comp_algorithm shows in brackets.
current_algorithm() {
	sed 's/.*\[\(.*\)\].*/\1/' "${1:-$ZSYS}/comp_algorithm"
}

# expect_write_error NAME FILE VALUE MESSAGE: one test point: writing VALUE to FILE fails with
# MESSAGE (the strerror text, e.g. "Invalid argument").
expect_write_error() {
	local out
	if out=$( (echo "$3" >"$2") 2>&1); then
		fail "$1" "writing '$3' to $2 succeeded"
	elif [[ "$out" == *"$4"* ]]; then
		pass "$1"
	else
		fail "$1" "expected '$4', got '$out'"
	fi
}

# Writes the mixed dataset to FILE: zero pages, pages of one repeated 8-byte word, random
# (incompressible) pages and compressible text, 2 MiB each.
make_mixed_dataset() {
	{
		head -c $((2 << 20)) /dev/zero
		yes ABCDEFGH | tr -d '\n' | head -c $((2 << 20))
		head -c $((2 << 20)) /dev/urandom
		seq 1 1000000 | head -c $((2 << 20))
	} >"$1"
}

# make_realistic_dataset FILE MIB: MIB MiB of what memory holds, in 1 MiB pieces in a fixed
# order of sixteen: nine of executable code and libraries (the guest's own binaries), four of
# text (the kernel's symbol table and the guest scripts), two random (incompressible), one of
# zeros. Compression works page by page, so repeating a source makes no page easier.
make_realistic_dataset() {
	local file=$1 mib=$2 binary=/tmp/dataset.binary text=/tmp/dataset.text i src skip
	find /usr/bin /usr/sbin /lib -type f -size +16k -print0 | sort -z | xargs -0 cat |
		head -c $((mib << 20)) >$binary
	for i in 1 2 3 4; do cat /proc/kallsyms /tests/guest/*.sh; done >$text
	local binary_mib=$(($(stat -c %s $binary) >> 20)) text_mib=$(($(stat -c %s $text) >> 20))
	[ "$binary_mib" -gt 0 ] && [ "$text_mib" -gt 0 ] || return 1
	: >"$file"
	for i in $(seq 0 $((mib - 1))); do
		case $(echo BTBRBTBBTBZBTBRB | cut -c$((i % 16 + 1))) in
		B) src=$binary skip=$((i % binary_mib)) ;;
		T) src=$text skip=$((i % text_mib)) ;;
		R) src=/dev/urandom skip=0 ;;
		Z) src=/dev/zero skip=0 ;;
		esac
		dd if=$src bs=1M skip=$skip count=1 iflag=fullblock status=none >>"$file" || return 1
	done
	rm -f $binary $text
}
