# SPDX-License-Identifier: GPL-2.0
# Allocations fail under the compressed RAM disk (failslab, fail_page_alloc; faults-lib.sh):
# zsmalloc's handles, zspages and pages, and what direct reclaim allocates beneath them, during
# verified O_DIRECT I/O from hugetlb buffers and during the swap torture (the guest's memory in
# all, so that reclaim runs the whole time). Expected: a failed store is a failed write (an I/O error for direct
# I/O, a swap write error that keeps the page in memory), never a wrong page; afterwards the
# device stores and returns everything again and swapoff reads every stored page back.
. /tests/guest/zram-lib.sh
. /tests/guest/faults-lib.sh

# A failed page fails its whole write, and a swap write that fails keeps its pages in memory:
# rates that leave most direct I/O writes (16 pages each) and swap-outs succeeding, so that both
# the failures and the data written around them are exercised without running out of memory.
DIO_FAULT_PERCENT=${DIO_FAULT_PERCENT:-2}
SWAP_FAULT_PERCENT=${SWAP_FAULT_PERCENT:-1}

if ! fault_available; then
	skip fault-injection "this kernel has no failslab/fail_page_alloc with a stack-trace filter"
	return 0
fi
check module-load modprobe $ZMOD num_devices=2 || return 0
swap=/dev/${ZMOD}0 swap_sys=/sys/block/${ZMOD}0
dio=/dev/${ZMOD}1 dio_sys=/sys/block/${ZMOD}1
echo lz4 >$swap_sys/comp_algorithm
echo 512M >$swap_sys/disksize
echo 32M >$dio_sys/disksize
check swapon sh -c "mkswap $swap >/dev/null && swapon $swap"
mem_kib=$(awk '/MemTotal/ {print $2}' /proc/meminfo)
echo always >/sys/kernel/mm/transparent_hugepage/enabled

# faulted_writes SYSFS: the writes the device failed (io_stat's failed_writes).
faulted_writes() {
	awk '{print $2}' "$1/io_stat"
}

fault_arm $ZMOD "$DIO_FAULT_PERCENT" || fail fault-arm "cannot arm the fault injection"
echo 6 >/proc/sys/vm/nr_hugepages
out=$(hugepage-dio --device $dio --source hugetlb --buf-mib 4 --max-io-kib 64 --iterations 64 \
	--seed 41 --allow-io-errors 2>&1)
rc=$?
printf '%s\n' "$out" | grep -v '^# reread' | tail -n 4 | sed 's/^/#   /'
dio_errors=$(printf '%s\n' "$out" | sed -n 's/.* io_errors=\([0-9]*\).*/\1/p' | tail -n 1)
dio_verified=$(printf '%s\n' "$out" | sed -n 's/.* bytes_verified=\([0-9]*\).*/\1/p' | tail -n 1)
if [ $rc -eq 0 ]; then pass hugetlb-direct-io-under-faults; else fail hugetlb-direct-io-under-faults "hugepage-dio exit $rc"; fi
echo 0 >/proc/sys/vm/nr_hugepages
injected=$(fault_disarm)
diag "direct I/O: injected $injected; surfaced as $dio_errors I/O errors of 64 writes ($(faulted_writes $dio_sys) failed writes in io_stat), $dio_verified bytes verified"

swap_errors_before=$(dmesg | grep -c 'Write-error on swap-device')
fault_arm $ZMOD "$SWAP_FAULT_PERCENT" || fail fault-arm "cannot arm the fault injection"
check swap-pressure-under-faults swap-pressure --mib $((mem_kib / 1024)) --procs 2 --passes 2 \
	--thp --rewriters 1 --rewrite-secs 5 --seed 42
swap_injected=$(fault_disarm)
diag "swap: injected $swap_injected; surfaced as $(faulted_writes $swap_sys) failed writes in io_stat, $(($(dmesg | grep -c 'Write-error on swap-device') - swap_errors_before)) swap write errors logged (rate-limited)"
total=$(($(fault_total "$injected") + $(fault_total "$swap_injected")))
if [ "$total" -ge 200 ]; then pass failures-injected; else fail failures-injected "only $total: $injected, $swap_injected"; fi
diag "mm_stat: $(cat $swap_sys/mm_stat)"

# Recovered: verified again without failures, then swapoff reads every stored page back.
check swap-pressure-after-faults swap-pressure --mib $((mem_kib / 1024)) --procs 2 --passes 2 --seed 43
dd if=/dev/urandom of=/tmp/dio.src bs=1M count=16 status=none
dd if=/tmp/dio.src of=$dio bs=1M oflag=direct status=none
expect_eq direct-io-after-faults "$(md5 /tmp/dio.src)" "$(dd if=$dio bs=1M count=16 iflag=direct status=none | md5sum | cut -d' ' -f1)"
check swapoff swapoff $swap
if [ "$DRIVER" = rust ]; then
	expect_eq integrity-errors 0 "$(cat $swap_sys/integrity_errors)"
fi
echo 1 >$swap_sys/reset
echo 1 >$dio_sys/reset
check module-unload rmmod $ZMOD
