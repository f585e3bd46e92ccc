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
