# SPDX-License-Identifier: GPL-2.0
# zram's writeback, against zram.ko (CONFIG_ZRAM_WRITEBACK, in the project's kernels and
# Debian's) or rzram: backing_dev and its refusals (missing,
# not a block device, empty, read-only, in use, after initialisation), writeback's syntax and
# errno, the idle, huge, page_index(es) and incompressible modes, bd_stat, writeback_limit(_enable),
# writeback_batch_size, compressed_writeback, a full backing device; pages rewritten while they
# are written back (over AoE, with delay); swap with writeback under the swap torture;
# fail_make_request on the backing device; then a raoe (or aoe.ko) device on vblade as the
# backing device, its target killed and restarted mid-writeback. Every byte
# read back is checked by checksum; rzram runs in integrity mode, whose CRC checks every page
# read back from the backing device too.
. /tests/guest/zram-lib.sh

if [ "$DRIVER" = rust ]; then
	module_args=integrity=1
fi
check module-load modprobe $ZMOD num_devices=3 $module_args || return 0
if [ ! -e $ZSYS/backing_dev ]; then
	skip writeback "this $ZMOD has no writeback (CONFIG_ZRAM_WRITEBACK unset)"
	return 0
fi
BACK=/dev/${ZMOD}1
BSYS=/sys/block/${ZMOD}1
EMPTY=/dev/${ZMOD}2
PAGE=$(($(awk '/^KernelPageSize/ {print $2; exit}' /proc/self/smaps) * 1024))
# bd_stat and writeback_limit count 4 KiB units.
UNITS=$((PAGE / 4096))

# bd_stat_field N: field N (1 count, 2 reads, 3 writes) of device 0's bd_stat, in pages.
bd_stat_field() {
	echo $(($(awk -v n="$1" '{print $n}' $ZSYS/bd_stat) / UNITS))
}

# writeback_expect NAME ARGS ERRNO_TEXT: one test point: writing ARGS to writeback ends with
# ERRNO_TEXT ("" for success).
writeback_expect() {
	local out
	if out=$( (echo "$2" >$ZSYS/writeback) 2>&1); then
		expect_eq "$1" "$3" ""
	elif [ -n "$3" ] && [[ "$out" == *"$3"* ]]; then
		pass "$1"
	else
		fail "$1" "writeback '$2': expected '${3:-success}', got '$out'"
	fi
}

# dev_md5 DEV BYTES: the checksum of the first BYTES of DEV, read with O_DIRECT.
dev_md5() {
	dd if="$1" bs=1M count=$(($2 >> 20)) iflag=direct status=none | md5sum | cut -d' ' -f1
}

# page_check DEV FILE FIRST COUNT: pages FIRST.. of DEV, COUNT of them, each read alone: each
# reads back as FILE's page or fails with an error, never different data. Prints "good failed
# wrong".
page_check() {
	local i good=0 failed=0 wrong=0
	for i in $(seq "$3" $(($3 + $4 - 1))); do
		dd if="$2" of=/tmp/page.want bs=$PAGE skip="$i" count=1 status=none
		if dd if="$1" of=/tmp/page.got bs=$PAGE skip="$i" count=1 iflag=direct status=none 2>/dev/null; then
			if cmp -s /tmp/page.want /tmp/page.got; then good=$((good + 1)); else wrong=$((wrong + 1)); fi
		else
			failed=$((failed + 1))
		fi
	done
	echo "$good $failed $wrong"
}

# The backing device: device 1 of the same driver, 32 MiB.
check backing-init sh -c "echo 32M >$BSYS/disksize"

# --- backing_dev refused, nothing changed ---------------------------------------------------
expect_eq backing-dev-none none "$(cat $ZSYS/backing_dev)"
expect_write_error backing-dev-missing-enoent $ZSYS/backing_dev /dev/nosuch "No such file or directory"
: >/tmp/not-a-disk
expect_write_error backing-dev-file-enotblk $ZSYS/backing_dev /tmp/not-a-disk "Block device required"
# An uninitialised device has no pages (and so a device is never its own backing device).
expect_write_error backing-dev-empty-einval $ZSYS/backing_dev $EMPTY "Invalid argument"
expect_write_error backing-dev-itself-einval $ZSYS/backing_dev $ZDEV "Invalid argument"
# zram.ko takes a read-only device (and then fails every writeback); rzram refuses it.
check backing-set-read-only blockdev --setro $BACK
if [ "$DRIVER" = rust ]; then
	expect_write_error backing-dev-read-only-erofs $ZSYS/backing_dev $BACK "Read-only file system"
else
	diag "zram.ko, read-only backing device: $( (echo $BACK >$ZSYS/backing_dev) 2>&1 || :), backing_dev $(cat $ZSYS/backing_dev)"
	echo 1 >$ZSYS/reset
fi
check backing-set-read-write blockdev --setrw $BACK
check backing-mkswap mkswap $BACK
check backing-swapon swapon $BACK
expect_write_error backing-dev-in-use-ebusy $ZSYS/backing_dev $BACK "Device or resource busy"
check backing-swapoff swapoff $BACK
expect_eq backing-dev-refusals-unchanged none "$(cat $ZSYS/backing_dev)"

# --- the settings and their refusals --------------------------------------------------------
expect_eq writeback-defaults "32 0 0 0" "$(cat $ZSYS/writeback_batch_size) \
$(cat $ZSYS/writeback_limit_enable) $(cat $ZSYS/writeback_limit) $(cat $ZSYS/compressed_writeback)"
expect_write_error writeback-batch-size-zero-einval $ZSYS/writeback_batch_size 0 "Invalid argument"
expect_write_error writeback-batch-size-garbage-einval $ZSYS/writeback_batch_size x "Invalid argument"
expect_write_error writeback-batch-size-too-big-einval $ZSYS/writeback_batch_size 4294967296 "Invalid argument"
expect_write_error writeback-limit-garbage-einval $ZSYS/writeback_limit -1 "Invalid argument"
expect_write_error writeback-limit-enable-garbage-einval $ZSYS/writeback_limit_enable yes "Invalid argument"
expect_write_error compressed-writeback-garbage-einval $ZSYS/compressed_writeback maybe "Invalid argument"
expect_eq writeback-settings-unchanged "32 0 0 0" "$(cat $ZSYS/writeback_batch_size) \
$(cat $ZSYS/writeback_limit_enable) $(cat $ZSYS/writeback_limit) $(cat $ZSYS/compressed_writeback)"
expect_write_error writeback-uninitialised-einval $ZSYS/writeback idle "Invalid argument"

check backing-dev-set sh -c "echo $BACK >$ZSYS/backing_dev"
expect_eq backing-dev-shown "$BACK" "$(cat $ZSYS/backing_dev)"
check disksize sh -c "echo 64M >$ZSYS/disksize"
expect_write_error backing-dev-after-init-ebusy $ZSYS/backing_dev $BACK "Device or resource busy"
expect_write_error compressed-writeback-after-init-ebusy $ZSYS/compressed_writeback 1 "Device or resource busy"
expect_eq bd-stat-empty "0 0 0" "$(awk '{print $1, $2, $3}' $ZSYS/bd_stat)"
pages=$(($(cat $ZSYS/disksize) / PAGE))
for args in type=cold all "page_index=" page_index=x "page_indexes=5" "page_index=1 bogus"; do
	writeback_expect "writeback-'$args'-einval" "$args" "Invalid argument"
done
for args in page_index=$pages "page_indexes=5-$pages" page_indexes=6-5; do
	writeback_expect "writeback-'$args'-erange" "$args" "Numerical result out of range"
done
expect_eq writeback-refused-wrote-nothing 0 "$(bd_stat_field 3)"

# --- idle, huge, page_index, incompressible -------------------------------------------------
make_mixed_dataset /tmp/mixed
size=$(stat -c %s /tmp/mixed)
dd if=/tmp/mixed of=$ZDEV bs=1M oflag=direct status=none
want=$(md5sum </tmp/mixed | cut -d' ' -f1)
compr_before=$(mm_stat_field 2)
huge_before=$(mm_stat_field 8)
diag "stored: mm_stat $(cat $ZSYS/mm_stat)"
# Nothing is idle yet: an idle writeback takes nothing.
writeback_expect writeback-nothing-idle idle ""
expect_eq writeback-nothing-idle-wrote-nothing 0 "$(bd_stat_field 3)"
check idle-all sh -c "echo all >$ZSYS/idle"
writeback_expect writeback-huge-idle huge_idle ""
written=$(bd_stat_field 3)
huge_after=$(mm_stat_field 8)
diag "huge_idle: $written pages written, huge pages $huge_before -> $huge_after"
expect_eq writeback-huge-idle-took-the-huge-pages "$huge_before 0" "$written $huge_after"
# The first page (zeros) is never written back; page 2000 is text.
writeback_expect writeback-page-index-same-skipped page_index=0 ""
expect_eq writeback-page-index-same-wrote-nothing "$written" "$(bd_stat_field 3)"
writeback_expect writeback-page-index page_index=2000 ""
expect_eq writeback-page-index-wrote-one $((written + 1)) "$(bd_stat_field 3)"
writeback_expect writeback-idle type=idle ""
written=$(bd_stat_field 3)
compr_after=$(mm_stat_field 2)
diag "idle: $written pages written in all, compr_data_size $compr_before -> $compr_after, bd_stat $(cat $ZSYS/bd_stat)"
# Zeros and words are never written back: 1024 pages of random data and 512 of text.
expect_eq writeback-idle-count "$(((size / PAGE) / 2)) $(((size / PAGE) / 2))" \
	"$written $(bd_stat_field 1)"
expect_eq writeback-idle-freed-the-pool 0 "$compr_after"
if [ -r /sys/kernel/debug/$ZMOD/${ZMOD}0/block_state ]; then
	expect_eq block-state-written-back "$((size / PAGE / 2))" \
		"$(awk '$3 ~ /^.w/' /sys/kernel/debug/$ZMOD/${ZMOD}0/block_state | wc -l)"
fi
expect_eq writeback-read-back "$want" "$(dev_md5 $ZDEV "$size")"
expect_eq writeback-read-back-counted "$(((size / PAGE) / 2))" "$(bd_stat_field 2)"
# Nothing is left to write back; incompressible pages come from recompression only.
writeback_expect writeback-again-nothing idle ""
writeback_expect writeback-incompressible-nothing incompressible ""
expect_eq writeback-again-wrote-nothing "$(((size / PAGE) / 2))" "$(bd_stat_field 3)"
expect_eq io-stat-no-failures "0 0" "$(awk '{print $1, $2}' $ZSYS/io_stat)"

# --- rewritten and freed pages release their blocks ----------------------------------------
dd if=/dev/urandom of=/tmp/new bs=1M count=1 status=none
dd if=/tmp/new of=$ZDEV bs=1M seek=4 oflag=direct status=none
dd if=/tmp/new of=/tmp/mixed bs=1M seek=4 conv=notrunc status=none
expect_eq rewrite-frees-blocks "$(((size / PAGE) / 2 - (1 << 20) / PAGE))" "$(bd_stat_field 1)"
check discard-written-back blkdiscard -o $((5 << 20)) -l $((1 << 20)) $ZDEV
dd if=/dev/zero of=/tmp/mixed bs=1M seek=5 count=1 conv=notrunc status=none
expect_eq discard-frees-blocks "$(((size / PAGE) / 2 - (2 << 20) / PAGE))" "$(bd_stat_field 1)"
expect_eq rewritten-read-back "$(md5sum </tmp/mixed | cut -d' ' -f1)" "$(dev_md5 $ZDEV "$size")"

# --- writeback_limit ------------------------------------------------------------------------
check writeback-limit-set sh -c "echo 1 >$ZSYS/writeback_limit_enable && echo $((10 * UNITS)) >$ZSYS/writeback_limit"
dd if=/dev/urandom of=/tmp/limit bs=1M count=1 status=none
dd if=/tmp/limit of=$ZDEV bs=1M seek=8 oflag=direct status=none
# The random megabyte written at 4 MiB is huge too.
huge=$(mm_stat_field 8)
before=$(bd_stat_field 3)
writeback_expect writeback-limit-reached-eio huge "Input/output error"
expect_eq writeback-limit-wrote-ten 10 "$(($(bd_stat_field 3) - before))"
expect_eq writeback-limit-used-up 0 "$(cat $ZSYS/writeback_limit)"
check writeback-limit-off sh -c "echo 0 >$ZSYS/writeback_limit_enable"
writeback_expect writeback-limit-off-rest huge ""
expect_eq writeback-limit-off-wrote-rest "$huge 0" "$(($(bd_stat_field 3) - before)) $(mm_stat_field 8)"

# --- batch size 1, and a full backing device ------------------------------------------------
check writeback-batch-size-1 sh -c "echo 1 >$ZSYS/writeback_batch_size"
# 32 MiB of backing: 8 MiB were written, room for 24 more; 40 MiB of random data overflow it.
dd if=/dev/urandom of=/tmp/big bs=1M count=40 status=none
dd if=/tmp/big of=$ZDEV bs=1M seek=16 oflag=direct status=none
check idle-all-again sh -c "echo all >$ZSYS/idle"
writeback_expect writeback-full-enospc idle "No space left on device"
expect_eq backing-full "$(((32 << 20) / PAGE))" "$(bd_stat_field 1)"
expect_eq full-read-back "$(cat /tmp/mixed /tmp/limit | md5sum | cut -d' ' -f1) $(md5sum </tmp/big | cut -d' ' -f1)" \
	"$(dev_md5 $ZDEV $((size + (1 << 20)))) $(dd if=$ZDEV bs=1M skip=16 count=40 iflag=direct status=none | md5sum | cut -d' ' -f1)"
rm -f /tmp/big /tmp/limit /tmp/new
check writeback-batch-size-default sh -c "echo 32 >$ZSYS/writeback_batch_size"

# --- compressed_writeback -------------------------------------------------------------------
check reset-for-compressed sh -c "echo 1 >$ZSYS/reset"
check backing-reset-compressed sh -c "echo 1 >$BSYS/reset && echo 32M >$BSYS/disksize"
check compressed-writeback-set sh -c "echo 1 >$ZSYS/compressed_writeback && echo $BACK >$ZSYS/backing_dev && echo 64M >$ZSYS/disksize"
make_mixed_dataset /tmp/mixed
dd if=/tmp/mixed of=$ZDEV bs=1M oflag=direct status=none
check idle-all-compressed sh -c "echo all >$ZSYS/idle"
writeback_expect writeback-compressed idle ""
expect_eq writeback-compressed-count "$(((size / PAGE) / 2))" "$(bd_stat_field 3)"
expect_eq writeback-compressed-read-back "$(md5sum </tmp/mixed | cut -d' ' -f1)" "$(dev_md5 $ZDEV "$size")"
check compressed-writeback-off sh -c "echo 1 >$ZSYS/reset && echo 0 >$ZSYS/compressed_writeback"

# --- swap with writeback under the torture --------------------------------------------------
check backing-reset-swap sh -c "echo 1 >$BSYS/reset && echo 96M >$BSYS/disksize"
check swap-device-set-up sh -c "echo $BACK >$ZSYS/backing_dev && echo 256M >$ZSYS/disksize"
check mkswap mkswap $ZDEV
check swapon swapon $ZDEV
echo always >/sys/kernel/mm/transparent_hugepage/enabled
# 64 MiB more than is available: the guest's files (its root is in RAM) leave less than half.
torture_mib=$(($(awk '/MemAvailable/ {print $2}' /proc/meminfo) / 1024 + 64))
(
	while [ ! -e /tmp/torture-done ]; do
		echo all >$ZSYS/idle
		echo idle >$ZSYS/writeback 2>/dev/null
		sleep 1
	done
) &
wb=$!
check swap-torture-with-writeback swap-pressure --mib $torture_mib --procs 2 --passes 1 --thp \
	--rewriters 2 --rewrite-secs 8 --seed 61
touch /tmp/torture-done
wait $wb
diag "swap: bd_stat $(cat $ZSYS/bd_stat), mm_stat $(cat $ZSYS/mm_stat), io_stat $(cat $ZSYS/io_stat)"
expect_eq swap-wrote-back 1 "$([ "$(bd_stat_field 3)" -gt 0 ] && echo 1)"
expect_eq swap-read-back 1 "$([ "$(bd_stat_field 2)" -gt 0 ] && echo 1)"
expect_eq swap-io-stat-no-failures "0 0" "$(awk '{print $1, $2}' $ZSYS/io_stat)"
check swapoff swapoff $ZDEV
# Swap frees what it no longer uses (but the header mkswap wrote, and releases that found the
# slot busy): no more blocks in use than pages stored.
diag "after swapoff: bd_stat $(cat $ZSYS/bd_stat), mm_stat $(cat $ZSYS/mm_stat)"
expect_eq swapoff-freed-blocks 1 "$([ "$(bd_stat_field 1)" -le $(($(mm_stat_field 1) / PAGE)) ] && echo 1)"
if [ "$DRIVER" = rust ]; then
	expect_eq integrity-errors-none 0 "$(cat $ZSYS/integrity_errors)"
fi
check reset-after-swap sh -c "echo 1 >$ZSYS/reset"

# --- fail_make_request on the backing device ------------------------------------------------
if [ -d /sys/kernel/debug/fail_make_request ]; then
	check backing-reset-faults sh -c "echo 1 >$BSYS/reset && echo 32M >$BSYS/disksize"
	check faults-set-up sh -c "echo $BACK >$ZSYS/backing_dev && echo 64M >$ZSYS/disksize"
	head -c $((4 << 20)) /dev/urandom >/tmp/faults
	dd if=/tmp/faults of=$ZDEV bs=1M oflag=direct status=none
	fmr=/sys/kernel/debug/fail_make_request
	echo 50 >$fmr/probability
	echo -1 >$fmr/times
	echo 0 >$fmr/verbose
	echo 1 >$BSYS/make-it-fail
	echo all >$ZSYS/idle
	writeback_expect writeback-failing-writes-eio idle "Input/output error"
	written=$(bd_stat_field 3)
	diag "fail_make_request 50 %: $written of $((4 << 20 >> 12)) pages written back"
	# Failed writes leave their pages in place; reads of the written-back ones now fail half
	# of the time, and never return wrong data.
	read -r good failed wrong <<<"$(page_check $ZDEV /tmp/faults 0 64)"
	diag "reads under faults (first 64 pages): $good good, $failed failed, $wrong wrong"
	expect_eq faults-never-wrong-data 0 "$wrong"
	echo 0 >$BSYS/make-it-fail
	expect_eq faults-off-read-back "$(md5sum </tmp/faults | cut -d' ' -f1)" "$(dev_md5 $ZDEV $((4 << 20)))"
	check reset-after-faults sh -c "echo 1 >$ZSYS/reset"
else
	skip fail-make-request "no CONFIG_FAIL_MAKE_REQUEST"
fi
check backing-reset-end sh -c "echo 1 >$BSYS/reset"

# --- over AoE: raoe (or aoe.ko) on vblade as the backing device ----------------------------
. /tests/guest/aoe-lib.sh
check aoe-setup aoe_setup 64 aoe_deadsecs=8 || return 0
check aoe-backing-set-up sh -c "echo $AOE_DEV >$ZSYS/backing_dev && echo 128M >$ZSYS/disksize"
expect_eq aoe-backing-shown "$AOE_DEV" "$(cat $ZSYS/backing_dev)"
make_mixed_dataset /tmp/mixed
dd if=/tmp/mixed of=$ZDEV bs=1M oflag=direct status=none
check aoe-idle sh -c "echo all >$ZSYS/idle"
writeback_expect aoe-writeback idle ""
expect_eq aoe-writeback-count "$(((size / PAGE) / 2))" "$(bd_stat_field 3)"
expect_eq aoe-read-back "$(md5sum </tmp/mixed | cut -d' ' -f1)" "$(dev_md5 $ZDEV "$size")"
# Pages rewritten while they are written back: with 60 ms more on every frame to the target, a
# chunk written, given 20 ms for the writeback running without pause to copy it, rewritten while
# its blocks are on the way, then read back once the writeback is done with it: a block written
# from a copy taken before a rewrite must never replace the rewritten page.
head -c $((64 << 10)) /dev/urandom >/tmp/va
seq 1 20000 | head -c $((64 << 10)) >/tmp/vb
first=$(((64 << 20) / PAGE))
check netem-delay tc qdisc add dev veth0 root netem delay 60ms
rm -f /tmp/rewrites-done
(
	while [ ! -e /tmp/rewrites-done ]; do
		echo page_indexes=$first-$((first + (64 << 10) / PAGE - 1)) >$ZSYS/writeback 2>/dev/null
	done
) &
wb=$!
stale=0
before=$(bd_stat_field 3)
for i in $(seq 1 30); do
	dd if=/tmp/va of=$ZDEV bs=64K seek=$((first * PAGE >> 16)) oflag=direct status=none
	sleep 0.02
	dd if=/tmp/vb of=$ZDEV bs=64K seek=$((first * PAGE >> 16)) oflag=direct status=none
	sleep 0.4
	dd if=$ZDEV of=/tmp/chunk bs=64K skip=$((first * PAGE >> 16)) count=1 iflag=direct status=none
	cmp -s /tmp/vb /tmp/chunk || stale=$((stale + 1))
done
touch /tmp/rewrites-done
wait $wb
check netem-delay-removed tc qdisc del dev veth0 root
diag "rewrites during writeback: $stale of 30 rewritten chunks read back stale, $(($(bd_stat_field 3) - before)) pages written back meanwhile"
expect_eq aoe-rewrites-wrote-back 1 "$([ $(($(bd_stat_field 3) - before)) -gt 0 ] && echo 1)"
expect_eq aoe-rewritten-never-stale 0 "$stale"

# The target killed mid-writeback (small batches, so the writeback is under way), restarted:
# every page reads back right or fails, never wrong; once the target is back, every page reads
# back right.
head -c $((16 << 20)) /dev/urandom >/tmp/aoe-new
dd if=/tmp/aoe-new of=$ZDEV bs=1M seek=16 oflag=direct status=none
# 20 ms more on every frame to the target: both drivers are mid-way when the target dies.
echo 4 >$ZSYS/writeback_batch_size
tc qdisc add dev veth0 root netem delay 20ms
base=$(bd_stat_field 3)
(echo page_indexes=$(((16 << 20) / PAGE))-$(((32 << 20) / PAGE - 1)) >$ZSYS/writeback) 2>/tmp/aoe-wb.err &
wb=$!
sleep 2
aoe_vblade_kill
killed_at=$(($(bd_stat_field 3) - base))
wait $wb
wb_status=$?
tc qdisc del dev veth0 root
diag "target killed after $killed_at pages written back; writeback: exit $wb_status, $(cat /tmp/aoe-wb.err), $(($(bd_stat_field 3) - base)) written"
expect_eq aoe-killed-mid-writeback "1 1" 	"$([ "$killed_at" -lt $(((16 << 20) / PAGE)) ] && echo 1) $([ $wb_status -ne 0 ] && echo 1)"
# The random pages of the first writeback (page 1024 on) are on the dead target.
read -r good failed wrong <<<"$(page_check $ZDEV /tmp/mixed 1024 32)"
diag "reads with the target gone (32 written-back pages): $good good, $failed failed, $wrong wrong"
expect_eq aoe-target-gone-never-wrong-data 0 "$wrong"
aoe_vblade_restart
sleep 0.5
aoe-revalidate e$AOE_SHELF.$AOE_SLOT 2>/dev/null
check aoe-target-back aoe_wait_up e$AOE_SHELF.$AOE_SLOT 30
expect_eq aoe-target-back-read-back "$(md5sum </tmp/mixed | cut -d' ' -f1) $(md5sum </tmp/aoe-new | cut -d' ' -f1)" \
	"$(dev_md5 $ZDEV "$size") $(dd if=$ZDEV bs=1M skip=16 count=16 iflag=direct status=none | md5sum | cut -d' ' -f1)"
diag "aoe: bd_stat $(cat $ZSYS/bd_stat), io_stat $(cat $ZSYS/io_stat)"
if [ "$DRIVER" = rust ]; then
	expect_eq aoe-integrity-errors-none 0 "$(cat $ZSYS/integrity_errors)"
fi
check reset-after-aoe sh -c "echo 1 >$ZSYS/reset"
check aoe-teardown aoe_teardown
