# SPDX-License-Identifier: GPL-2.0
# Compressed-RAM fixtures shared by the zram suites: zram.ko or rzram, device 0.

if [ "$DRIVER" = rust ]; then
	ZMOD=rzram
	ZNAME=rzram0
else
	ZMOD=zram
	ZNAME=zram0
fi
ZDEV=/dev/$ZNAME
ZSYS=/sys/block/$ZNAME

# Field N (1-based) of mm_stat.
mm_stat_field() {
	awk -v n="$1" '{print $n}' "$ZSYS/mm_stat"
}
