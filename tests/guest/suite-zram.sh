# SPDX-License-Identifier: GPL-2.0
# The reference compressed-RAM suite: stable writes, swap under memory pressure in a small
# guest with every page verified after swap-in, compression visible in mm_stat, reset.
. /tests/guest/zram-lib.sh

check module-load modprobe $ZMOD num_devices=1 || return 0
check comp-algorithm-lz4 sh -c "echo lz4 >$ZSYS/comp_algorithm && grep -q '\[lz4\]' $ZSYS/comp_algorithm"
check disksize sh -c "echo 768M >$ZSYS/disksize"
expect_eq initstate 1 "$(cat $ZSYS/initstate)"
expect_eq stable-writes 1 "$(cat $ZSYS/queue/stable_writes)"
check mkswap mkswap $ZDEV
check swapon swapon $ZDEV
expect_eq swap-active "$ZDEV" "$(awk 'NR > 1 {print $1}' /proc/swaps)"

# Twice the guest's RAM, two processes, THP allowed, every page verified after swap-in.
mem_kib=$(awk '/MemTotal/ {print $2}' /proc/meminfo)
echo always >/sys/kernel/mm/transparent_hugepage/enabled
check swap-pressure-verified swap-pressure --mib $((mem_kib * 2 / 1024)) --procs 2 --passes 2 --thp --seed 3
diag "mm_stat: $(cat $ZSYS/mm_stat)"
orig=$(mm_stat_field 1)
compr=$(mm_stat_field 2)
diag "after pressure: orig_data_size=$orig compr_data_size=$compr"
if [ "$orig" -gt 0 ] && [ "$compr" -gt 0 ] && [ "$compr" -lt "$orig" ]; then
	pass mm-stat-compression
else
	fail mm-stat-compression "orig=$orig compr=$compr"
fi

check swapoff swapoff $ZDEV
diag "mm_stat after swapoff: $(cat $ZSYS/mm_stat)"
# Only the page mkswap wrote (the swap header) may remain stored.
orig=$(mm_stat_field 1)
if [ "$orig" -le 4096 ]; then pass swapoff-frees-data; else fail swapoff-frees-data "orig_data_size=$orig"; fi
check reset sh -c "echo 1 >$ZSYS/reset"
expect_eq reset-disksize 0 "$(cat $ZSYS/disksize)"
expect_eq reset-mm-stat-zero 0 "$(awk '{s = 0; for (i = 1; i <= 3; i++) s += $i; print s}' $ZSYS/mm_stat)"
check module-unload rmmod $ZMOD
