# SPDX-License-Identifier: GPL-2.0
# The reference compressed-RAM suite, against zram.ko or rzram: bad sysfs input refused with
# nothing changed, stable writes, what util-linux zramctl makes of the device, swap torture
# (more anonymous memory than the guest has, pages rewritten while they are swapped out, every
# page verified) with compression visible in mm_stat, reset, then on a hot-added device: every
# algorithm storing and returning a mixed dataset, direct I/O from huge pages, ext4, mem_limit.
# rzram runs in integrity mode (its module parameter), with none of its checksums failing;
# then once more without stable writes, where its integrity errors are reported.
. /tests/guest/zram-lib.sh

if [ "$DRIVER" = rust ]; then
	module_args=integrity=1
fi
check module-load modprobe $ZMOD num_devices=1 $module_args || return 0
expect_eq control-class 1 "$([ -r $ZCTL/hot_add ] && [ -w $ZCTL/hot_remove ] && echo 1)"

if [ "$DRIVER" = rust ]; then
	expect_eq integrity-from-module-param 1 "$(cat $ZSYS/integrity_mode)"
	expect_write_error integrity-garbage-einval $ZSYS/integrity_mode 2 "Invalid argument"
	expect_write_error integrity-word-einval $ZSYS/integrity_mode yes "Invalid argument"
	expect_eq integrity-garbage-unchanged 1 "$(cat $ZSYS/integrity_mode)"
	check integrity-off-on sh -c "echo 0 >$ZSYS/integrity_mode && grep -qx 0 $ZSYS/integrity_mode && echo 1 >$ZSYS/integrity_mode"
	expect_eq integrity-errors-zero 0 "$(cat $ZSYS/integrity_errors)"
fi

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
if [ "$DRIVER" = rust ]; then
	expect_write_error integrity-after-init-ebusy $ZSYS/integrity_mode 0 "Device or resource busy"
	expect_eq integrity-after-init-unchanged 1 "$(cat $ZSYS/integrity_mode)"
fi

# util-linux zramctl looks for /sys/block/zram* and /sys/class/zram-control only: it must list
# zram.ko's device; for rzram what it makes of the device is reported, not required.
if [ "$DRIVER" = c ]; then
	expect_eq zramctl-lists-device "$ZDEV lz4 768M" \
		"$(zramctl --noheadings --output NAME,ALGORITHM,DISKSIZE | xargs)"
else
	for args in "" "$ZDEV" "--output-all $ZDEV" "--find --size 16M"; do
		out=$(zramctl $args 2>&1)
		diag "zramctl $args: exit $?: $(printf '%s' "$out" | tr '\n' '|')"
	done
fi

check mkswap mkswap $ZDEV
check swapon swapon $ZDEV
expect_eq swap-active "$ZDEV" "$(awk 'NR > 1 {print $1}' /proc/swaps)"
expect_write_error reset-open-ebusy $ZSYS/reset 1 "Device or resource busy"
expect_write_error hot-remove-open-ebusy $ZCTL/hot_remove 0 "Device or resource busy"
expect_eq reset-open-unchanged 1 "$(cat $ZSYS/initstate)"

# Swap torture: 1.5 times the guest's RAM over three processes, THP allowed, written once, then
# two threads in each rewriting pages (and their expected contents) for 10 s while the kernel
# swaps them out, every page verified after swap-in. (One pass: rzram swaps several times slower
# than zram.ko on the debug kernel, and runs this twice.) Twice the RAM leaves the 256 MiB guest
# at the edge: its compressed pages take 135 MiB of 215, and once it ran out of memory (no data
# lost).
mem_kib=$(awk '/MemTotal/ {print $2}' /proc/meminfo)
torture_mib=$((mem_kib * 3 / 2 / 1024))
echo always >/sys/kernel/mm/transparent_hugepage/enabled
# swap_torture SEED [MIB]
swap_torture() {
	swap-pressure --mib "${2:-$torture_mib}" --procs 3 --passes 1 --thp --rewriters 2 \
		--rewrite-secs 10 --seed "$1"
}
check swap-pressure-verified swap_torture 3
diag "mm_stat: $(cat $ZSYS/mm_stat)"
diag "io_stat: $(cat $ZSYS/io_stat)"
diag "debug_stat: $(cat $ZSYS/debug_stat | tr '\n' ' ')"
if [ "$DRIVER" = rust ]; then
	expect_eq integrity-errors-stable-writes 0 "$(cat $ZSYS/integrity_errors)"
fi
orig=$(mm_stat_field 1)
compr=$(mm_stat_field 2)
diag "after pressure: orig_data_size=$orig compr_data_size=$compr"
if [ "$orig" -gt 0 ] && [ "$compr" -gt 0 ] && [ "$compr" -lt "$orig" ]; then
	pass mm-stat-compression
else
	fail mm-stat-compression "orig=$orig compr=$compr"
fi
expect_eq io-stat-no-failures "0 0" "$(awk '{print $1, $2}' $ZSYS/io_stat)"

# rzram copies each page before it compresses it, so it does not need stable pages: the same
# torture without them, at half the size. The pages are verified; the checksum failures are
# reported.
if [ "$DRIVER" = rust ]; then
	check swapoff-for-unstable-writes swapoff $ZDEV
	echo 0 >$ZSYS/queue/stable_writes
	expect_eq stable-writes-cleared 0 "$(cat $ZSYS/queue/stable_writes)"
	check swapon-unstable-writes swapon $ZDEV
	check swap-pressure-unstable-writes-verified swap_torture 4 $((torture_mib / 2))
	errors=$(cat $ZSYS/integrity_errors)
	diag "stable_writes=0: integrity_errors=$errors mm_stat: $(cat $ZSYS/mm_stat)"
	expect_eq integrity-errors-unstable-writes-reported number \
		"$([[ "$errors" =~ ^[0-9]+$ ]] && echo number || echo "'$errors'")"
fi

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
	# A zram.ko may be built without a backend (Debian's has no LZO); rzram offers all four.
	if [ "$DRIVER" = c ] && ! tr ' []' '\n' <$sys/comp_algorithm | grep -qx -- "$alg"; then
		skip "$alg-mixed-dataset" "this zram.ko has no $alg backend ($(cat $sys/comp_algorithm))"
		continue
	fi
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

# algorithm_params (zram_drv.c algorithm_params_store): the same syntax, errors and effects on
# both drivers. Refused input changes nothing; a level and a dictionary change what is stored,
# never what is read back.
expect_eq algorithm-params-write-only 200 "$(stat -c %a $sys/algorithm_params)"
: >/tmp/empty.dict
# The device's algorithm is lz4 here: "algo=zstd" names none of its algorithms.
echo lz4 >$sys/comp_algorithm
while IFS='|' read -r name value message; do
	expect_write_error "algorithm-params-$name" $sys/algorithm_params "$value" "$message"
done <<'EOF_BAD'
no-value-einval|level|Invalid argument
empty-value-einval|algo=|Invalid argument
level-not-a-number-einval|level=high|Invalid argument
level-overflow-erange|level=4294967296|Numerical result out of range
priority-out-of-range-einval|priority=9 level=1|Invalid argument
algo-not-the-devices-einval|algo=zstd level=1|Invalid argument
dict-missing-enoent|dict=/nonexistent|No such file or directory
dict-empty-einval|dict=/tmp/empty.dict|Invalid argument
EOF_BAD
expect_eq algorithm-params-refused-unchanged "0 lz4" "$(cat $sys/initstate) $(current_algorithm $sys)"
# Levels: 8 MiB of the kernel's symbol table. A dictionary: 64 KiB of random hex digits, and
# 4 MiB of pages each made of sixteen 256-byte pieces of it: alone a page has little to find in
# itself, with the dictionary every piece is a match.
awk 'NR % 2 == 0' /proc/kallsyms >/tmp/symbols.half
: >/tmp/symbols
while [ "$(stat -c %s /tmp/symbols)" -lt $((8 << 20)) ]; do cat /tmp/symbols.half >>/tmp/symbols; done
truncate -s 8M /tmp/symbols
head -c $((32 << 10)) /dev/urandom | od -An -tx1 | tr -d ' \n' >/tmp/pieces.dict
awk 'BEGIN { srand(7); getline dict <"/tmp/pieces.dict"; n = length(dict)
	for (i = 0; i < 16384; i++) printf "%s", substr(dict, int(rand() * (n - 256)) + 1, 256) }' >/tmp/pieces
# params_stored NAME ALGORITHM PARAMS DATA: stores DATA with ALGORITHM set up with PARAMS,
# checks it reads back, and prints compr_data_size.
params_stored() {
	local name=$1 alg=$2 params=$3 data=$4 size
	size=$(stat -c %s "$data")
	echo $alg >$sys/comp_algorithm
	if ! echo "$params" >$sys/algorithm_params || ! echo 16M >$sys/disksize; then
		fail "$name" "cannot set up $alg with '$params'" >&2
		echo 0
		return
	fi
	dd if="$data" of=$dev bs=1M oflag=direct status=none
	expect_eq "$name" "$(md5 "$data")" "$(dd if=$dev bs=1M iflag=direct status=none | head -c $size | md5sum | cut -d' ' -f1)" >&2
	expect_write_error "$name-after-init-ebusy" $sys/algorithm_params "level=1" "Device or resource busy" >&2
	mm_stat_field 2 $sys
	echo 1 >$sys/reset
}
zstd_1=$(params_stored zstd-level-1-verified zstd "algo=zstd level=1" /tmp/symbols)
zstd_19=$(params_stored zstd-level-19-verified zstd "algo=zstd level=19" /tmp/symbols)
lz4_default=$(params_stored lz4-default-verified lz4 "algo=lz4" /tmp/symbols)
lz4_fast=$(params_stored lz4-acceleration-verified lz4 "level=64" /tmp/symbols)
diag "compr_data_size of 8 MiB of symbols: zstd level 1 $zstd_1, level 19 $zstd_19; lz4 $lz4_default, acceleration 64 $lz4_fast"
expect_eq zstd-level-19-smaller 1 "$([ "$zstd_19" -lt "$zstd_1" ] && echo 1)"
expect_eq lz4-acceleration-larger 1 "$([ "$lz4_fast" -gt "$lz4_default" ] && echo 1)"
for alg in zstd lz4; do
	alone=$(params_stored $alg-pieces-verified $alg "algo=$alg" /tmp/pieces)
	with_dict=$(params_stored $alg-dict-verified $alg "algo=$alg dict=/tmp/pieces.dict" /tmp/pieces)
	diag "compr_data_size of 4 MiB of dictionary pieces, $alg: alone $alone, with the dictionary $with_dict"
	expect_eq $alg-dict-less-than-half 1 "$([ $((with_dict * 2)) -lt "$alone" ] && echo 1)"
done
# A level the algorithm refuses fails the disk size (zcomp_create in zram).
for bad in zstd:23 lz4:0; do
	echo ${bad%:*} >$sys/comp_algorithm
	echo "level=${bad#*:}" >$sys/algorithm_params
	expect_write_error "${bad%:*}-level-${bad#*:}-disksize-einval" $sys/disksize 16M "Invalid argument"
	expect_eq "${bad%:*}-level-${bad#*:}-uninitialised" 0 "$(cat $sys/initstate)"
done
echo 1 >$sys/reset
rm -f /tmp/symbols* /tmp/pieces* /tmp/empty.dict

# idle and debugfs block_state (zram_drv.c idle_store, read_block_state): zram.ko has the age
# and block_state with CONFIG_ZRAM_MEMORY_TRACKING (Debian's kernel, not the debug one); rzram
# always. Four pages: zeros (same-filled), repeated text, random (stored raw: huge), text.
block_state=/sys/kernel/debug/$ZMOD/$ZMOD$id/block_state
expect_write_error idle-uninitialised-einval $sys/idle all "Invalid argument"
echo 1M >$sys/disksize
expect_write_error idle-garbage-einval $sys/idle soon "Invalid argument"
{
	head -c 4096 /dev/zero
	yes 'a compressible page of text' | head -c 4096
	head -c 4096 /dev/urandom
	yes 'another compressible page' | head -c 4096
} >/tmp/pages
dd if=/tmp/pages of=$dev bs=16K oflag=direct status=none
# The pages' flags, "INDEX FLAGS" per stored page.
page_flags() {
	awk '{print $1, $3}' $block_state | xargs
}
read_page() {
	dd if=$dev of=/dev/null bs=4K skip="$1" count=1 iflag=direct status=none
}
if [ -r "$block_state" ]; then
	expect_eq block-state-stored "0 s..... 1 ...... 2 ..h... 3 ......" "$(page_flags)"
	check idle-all sh -c "echo all >$sys/idle"
	# Same-filled pages are never idle.
	expect_eq block-state-all-idle "0 s..... 1 ...i.. 2 ..hi.. 3 ...i.." "$(page_flags)"
	read_page 1
	expect_eq block-state-read-not-idle "0 s..... 1 ...... 2 ..hi.. 3 ...i.." "$(page_flags)"
	# By age: 6 s later, page 3 is read; pages not read or written for 3 s become idle, the
	# others stop being idle.
	sleep 6
	read_page 3
	check idle-age sh -c "echo 3 >$sys/idle"
	expect_eq block-state-idle-by-age "0 s..... 1 ...i.. 2 ..hi.. 3 ......" "$(page_flags)"
	run cat $block_state
	expect_eq block-state-access-times-in-order 1 \
		"$(awk '$1 == 1 {a = $2} $1 == 3 {b = $2} END {print (a > 0 && b >= a + 6) ? 1 : 0}' $block_state)"
	# An age beyond the time since boot marks nothing, as zram's.
	check idle-age-beyond-uptime sh -c "echo 4000000000 >$sys/idle"
	expect_eq block-state-unchanged "0 s..... 1 ...i.. 2 ..hi.. 3 ......" "$(page_flags)"
	expect_eq data-intact-after-idle "$(md5 /tmp/pages)" \
		"$(dd if=$dev bs=16K count=1 iflag=direct status=none | md5sum | cut -d' ' -f1)"
else
	skip block-state "this zram.ko has no block_state (CONFIG_ZRAM_MEMORY_TRACKING)"
	check idle-all sh -c "echo all >$sys/idle"
fi
echo 1 >$sys/reset
rm -f /tmp/pages

# Direct I/O from 2 MiB pages: multi-page (large folio) segments are split at page boundaries.
# The swap torture leaves memory fragmented: compaction makes room for the huge pages.
echo 32M >$sys/disksize
echo 1 >/proc/sys/vm/compact_memory
echo 6 >/proc/sys/vm/nr_hugepages
check hugetlb-direct-io hugepage-dio --device $dev --source hugetlb --buf-mib 4 --iterations 8 --seed 21
# THP needs free 2 MiB blocks too: the hugetlb pool goes first, and memory is compacted again.
echo 0 >/proc/sys/vm/nr_hugepages
echo 1 >/proc/sys/vm/compact_memory
check thp-direct-io hugepage-dio --device $dev --source thp --buf-mib 4 --iterations 8 --seed 22
echo 1 >$sys/reset

# ext4: a tree of files written, the caches dropped, read back verified, fsck clean.
echo 64M >$sys/disksize
mnt=/mnt/zram
mkdir -p $mnt
check ext4-mkfs mkfs.ext4 -q -F $dev
if check ext4-mount mount -t ext4 $dev $mnt; then
	cp -a /usr /tests $mnt/
	for i in $(seq 1 200); do
		head -c $((i * 509 % 20000)) /tmp/mixed >$mnt/small$i
	done
	cp /tmp/mixed $mnt/mixed
	manifest() {
		(cd $mnt && find . | sort && find . -type f | sort | xargs md5sum)
	}
	manifest >/tmp/ext4.manifest
	diag "ext4 tree: $(find $mnt -type f | wc -l) files, $(du -sk $mnt | cut -f1) KiB; mm_stat: $(cat $sys/mm_stat)"
	check ext4-umount umount $mnt
	echo 3 >/proc/sys/vm/drop_caches
	check ext4-fsck-clean e2fsck -fn $dev
	check ext4-mount-again mount -t ext4 -o ro $dev $mnt
	if manifest | cmp -s /tmp/ext4.manifest -; then
		pass ext4-tree-verified
	else
		fail ext4-tree-verified "names or checksums differ after remount"
	fi
	umount $mnt
fi
echo 1 >$sys/reset

# rzram: a page stored with a wrong checksum (debugfs fault injection) fails its read with an
# I/O error, counted once and logged; the pages around it read fine; rewriting it heals it.
if [ "$DRIVER" = rust ]; then
	fault=/sys/kernel/debug/rzram/$ZMOD$id/corrupt_next_checksum
	# Page 1600 is text: compressed.
	page=1600
	echo 8M >$sys/disksize
	dd if=/tmp/mixed of=$dev bs=1M oflag=direct status=none
	errors=$(cat $sys/integrity_errors)
	rewrite_page() {
		dd if=/tmp/mixed of=$dev bs=4k skip=$page seek=$page count=1 oflag=direct status=none
	}
	check integrity-fault-arm sh -c "echo 1 >$fault && grep -qx 1 $fault"
	rewrite_page
	expect_eq integrity-fault-used-once 0 "$(cat $fault)"
	if out=$(dd if=$dev of=/dev/null bs=4k skip=$page count=1 iflag=direct status=none 2>&1); then
		fail integrity-fault-read-eio "the read of page $page succeeded"
	else
		expect_eq integrity-fault-read-eio "Input/output error" "${out##*: }"
	fi
	expect_eq integrity-fault-counted-once $((errors + 1)) "$(cat $sys/integrity_errors)"
	expect_eq integrity-fault-logged 1 \
		"$(dmesg | grep -c "$ZMOD$id: integrity error at sector $((page * 8)):")"
	expect_eq integrity-fault-neighbours-intact \
		"$(head -c $((page << 12)) /tmp/mixed | md5sum) $(tail -c +$((((page + 1) << 12) + 1)) /tmp/mixed | md5sum)" \
		"$(dd if=$dev bs=4k count=$page iflag=direct status=none | md5sum) $(dd if=$dev bs=4k skip=$((page + 1)) iflag=direct status=none | md5sum)"
	rewrite_page
	expect_eq integrity-fault-healed "$(md5 /tmp/mixed) $((errors + 1))" \
		"$(dd if=$dev bs=1M iflag=direct status=none | md5sum | cut -d' ' -f1) $(cat $sys/integrity_errors)"
	echo 1 >$sys/reset
fi

# A write past mem_limit fails with an I/O error, counted; what was stored stays intact.
# rzram: in integrity mode since the module parameter set it; this time without.
echo lz4 >$sys/comp_algorithm
if [ "$DRIVER" = rust ]; then
	expect_eq integrity-default-after-reset 1 "$(cat $sys/integrity_mode)"
	echo 0 >$sys/integrity_mode
fi
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
