# SPDX-License-Identifier: GPL-2.0
# The reference compressed-RAM suite, against zram.ko or rzram: bad sysfs input refused with
# nothing changed, stable writes, swap under memory pressure in a small guest with every page
# verified after swap-in, compression visible in mm_stat, reset, then on a hot-added device:
# every algorithm storing and returning a mixed dataset, direct I/O from huge pages, mem_limit.
. /tests/guest/zram-lib.sh

check module-load modprobe $ZMOD num_devices=1 || return 0
expect_eq control-class 1 "$([ -r $ZCTL/hot_add ] && [ -w $ZCTL/hot_remove ] && echo 1)"

# Refused before initialisation; nothing changes.
default_algorithm=$(current_algorithm)
expect_write_error disksize-garbage-einval $ZSYS/disksize abc "Invalid argument"
expect_eq disksize-garbage-unchanged "0 0" "$(cat $ZSYS/initstate) $(cat $ZSYS/disksize)"
expect_write_error comp-algorithm-unknown-einval $ZSYS/comp_algorithm nosuch "Invalid argument"
expect_eq comp-algorithm-unknown-unchanged "$default_algorithm" "$(current_algorithm)"
expect_write_error mem-used-max-nonzero-einval $ZSYS/mem_used_max 5 "Invalid argument"
expect_write_error reset-zero-einval $ZSYS/reset 0 "Invalid argument"
expect_write_error compact-uninitialised-einval $ZSYS/compact 1 "Invalid argument"

check comp-algorithm-lz4 sh -c "echo lz4 >$ZSYS/comp_algorithm && grep -q '\[lz4\]' $ZSYS/comp_algorithm"
check disksize sh -c "echo 768M >$ZSYS/disksize"
expect_eq initstate 1 "$(cat $ZSYS/initstate)"
expect_eq stable-writes 1 "$(cat $ZSYS/queue/stable_writes)"

# Refused after initialisation; nothing changes.
expect_write_error disksize-twice-ebusy $ZSYS/disksize 1G "Device or resource busy"
expect_eq disksize-twice-unchanged $((768 << 20)) "$(cat $ZSYS/disksize)"
expect_write_error comp-algorithm-after-init-ebusy $ZSYS/comp_algorithm zstd "Device or resource busy"
expect_eq comp-algorithm-after-init-unchanged lz4 "$(current_algorithm)"

check mkswap mkswap $ZDEV
check swapon swapon $ZDEV
expect_eq swap-active "$ZDEV" "$(awk 'NR > 1 {print $1}' /proc/swaps)"
expect_write_error reset-open-ebusy $ZSYS/reset 1 "Device or resource busy"
expect_write_error hot-remove-open-ebusy $ZCTL/hot_remove 0 "Device or resource busy"
expect_eq reset-open-unchanged 1 "$(cat $ZSYS/initstate)"

# Twice the guest's RAM, two processes, THP allowed, every page verified after swap-in.
mem_kib=$(awk '/MemTotal/ {print $2}' /proc/meminfo)
echo always >/sys/kernel/mm/transparent_hugepage/enabled
check swap-pressure-verified swap-pressure --mib $((mem_kib * 2 / 1024)) --procs 2 --passes 2 --thp --seed 3
diag "mm_stat: $(cat $ZSYS/mm_stat)"
diag "io_stat: $(cat $ZSYS/io_stat)"
diag "debug_stat: $(cat $ZSYS/debug_stat | tr '\n' ' ')"
orig=$(mm_stat_field 1)
compr=$(mm_stat_field 2)
diag "after pressure: orig_data_size=$orig compr_data_size=$compr"
if [ "$orig" -gt 0 ] && [ "$compr" -gt 0 ] && [ "$compr" -lt "$orig" ]; then
	pass mm-stat-compression
else
	fail mm-stat-compression "orig=$orig compr=$compr"
fi
expect_eq io-stat-no-failures "0 0" "$(awk '{print $1, $2}' $ZSYS/io_stat)"

check swapoff swapoff $ZDEV
diag "mm_stat after swapoff: $(cat $ZSYS/mm_stat)"
# Only the page mkswap wrote (the swap header) may remain stored.
orig=$(mm_stat_field 1)
if [ "$orig" -le 4096 ]; then pass swapoff-frees-data; else fail swapoff-frees-data "orig_data_size=$orig"; fi
check compact sh -c "echo 1 >$ZSYS/compact"
check reset sh -c "echo 1 >$ZSYS/reset"
expect_eq reset-disksize 0 "$(cat $ZSYS/disksize)"
expect_eq reset-mm-stat-zero 0 "$(awk '{s = 0; for (i = 1; i <= 3; i++) s += $i; print s}' $ZSYS/mm_stat)"

# Every algorithm stores and returns the mixed dataset, on a hot-added device.
id=$(cat $ZCTL/hot_add)
expect_eq hot-add 1 "$id"
dev=/dev/$ZMOD$id
sys=/sys/block/$ZMOD$id
make_mixed_dataset /tmp/mixed
want=$(md5 /tmp/mixed)
for alg in lzo lzo-rle lz4 zstd; do
	if ! echo $alg >$sys/comp_algorithm || ! echo 32M >$sys/disksize; then
		fail "$alg-mixed-dataset" "cannot set up $alg"
		continue
	fi
	dd if=/tmp/mixed of=$dev bs=1M oflag=direct status=none
	expect_eq "$alg-mixed-dataset" "$want" "$(dd if=$dev bs=1M count=8 iflag=direct status=none | md5sum | cut -d' ' -f1)"
	diag "$alg mm_stat: $(cat $sys/mm_stat)"
	# 512 zero and 512 one-word pages are same-filled; the 512 random pages, at least, are
	# stored raw.
	expect_eq "$alg-mm-stat" "$((8 << 20)) 1024 raw>=512" \
		"$(awk '{print $1, $6, ($8 >= 512 ? "raw>=512" : "raw=" $8)}' $sys/mm_stat)"
	blkdiscard $dev
	expect_eq "$alg-discard-frees" 0 "$(mm_stat_field 1 $sys)"
	echo 1 >$sys/reset
done

# Direct I/O from 2 MiB pages: multi-page (large folio) segments are split at page boundaries.
echo 32M >$sys/disksize
echo 6 >/proc/sys/vm/nr_hugepages
check hugetlb-direct-io hugepage-dio --device $dev --source hugetlb --buf-mib 4 --iterations 8 --seed 21
check thp-direct-io hugepage-dio --device $dev --source thp --buf-mib 4 --iterations 8 --seed 22
echo 0 >/proc/sys/vm/nr_hugepages
echo 1 >$sys/reset

# A write past mem_limit fails with an I/O error, counted; what was stored stays intact.
echo lz4 >$sys/comp_algorithm
echo 32M >$sys/disksize
dd if=/tmp/mixed of=$dev bs=1M count=4 oflag=direct status=none
echo 1M >$sys/mem_limit
if dd if=/dev/urandom of=$dev bs=1M seek=4 count=4 oflag=direct status=none 2>/dev/null; then
	fail mem-limit-write-fails "4 MiB of random data fit under a 1 MiB limit"
else
	pass mem-limit-write-fails
fi
failed_writes=$(awk '{print $2}' $sys/io_stat)
if [ "$failed_writes" -gt 0 ]; then pass mem-limit-failure-counted; else fail mem-limit-failure-counted "io_stat: $(cat $sys/io_stat)"; fi
expect_eq mem-limit-data-intact "$(head -c $((4 << 20)) /tmp/mixed | md5sum | cut -d' ' -f1)" \
	"$(dd if=$dev bs=1M count=4 iflag=direct status=none | md5sum | cut -d' ' -f1)"
echo 1 >$sys/reset
rm -f /tmp/mixed

check hot-remove sh -c "echo $id >$ZCTL/hot_remove"
expect_eq hot-remove-gone 0 "$([ -e $sys ] && echo 1 || echo 0)"
expect_write_error hot-remove-unknown-enodev $ZCTL/hot_remove 99 "No such device"
check module-unload rmmod $ZMOD
