# SPDX-License-Identifier: GPL-2.0
# Allocation-failure injection (Documentation/fault-injection/fault-injection.rst): failslab and
# fail_page_alloc, confined by the stack-trace filter to allocations made with the driver under
# test on the stack (its own, and what it calls: the network stack, zsmalloc).

FAULT_KINDS="failslab fail_page_alloc"
# `times` counts down with every failure injected; what it lost is the number injected.
FAULT_BUDGET=1000000

# fault_text_range MODULE: "start end" of MODULE's text, from its text symbols. The end is the
# last symbol plus 64 KiB (kallsyms gives no sizes): longer than any of the drivers' functions.
fault_text_range() {
	local first last
	awk -v m="[$1]" '$4 == m && $2 ~ /^[tT]$/ { print $1 }' /proc/kallsyms | sort >/tmp/fault.syms
	first=$(head -n 1 /tmp/fault.syms)
	last=$(tail -n 1 /tmp/fault.syms)
	[ -n "$first" ] || return 1
	printf '0x%s %#x\n' "$first" $((0x$last + 0x10000))
}

# fault_reject_range: "start end" of kmemleak's __alloc_object (its metadata allocation, with
# its fixed pool inlined), or "0 0" without kmemleak. A failure injected there sends kmemleak to
# that pool, which stays taken while the object lives; once it is empty, kmemleak turns itself
# off, and the leak check after the suite with it.
fault_reject_range() {
	sort /proc/kallsyms | awk '
		found { printf "0x%s 0x%s\n", start, $1; done = 1; exit }
		$3 == "__alloc_object" { start = $1; found = 1 }
		END { if (!done) print "0 0" }'
}

# fault_arm MODULE PERCENT: every allocation with MODULE's code on the stack fails with
# probability PERCENT, whether or not it may sleep, from order 0 up.
fault_arm() {
	local range reject kind dir
	range=$(fault_text_range "$1") || return 1
	reject=$(fault_reject_range)
	diag "faults: $FAULT_KINDS at $2% on allocations under $1 (text $range), not in $reject"
	for kind in $FAULT_KINDS; do
		dir=/sys/kernel/debug/$kind
		[ -d $dir ] || return 1
		echo 0 >$dir/probability
		echo 0 >$dir/verbose
		echo 1 >$dir/interval
		echo 0 >$dir/space
		echo N >$dir/task-filter
		echo N >$dir/ignore-gfp-wait
		echo 32 >$dir/stacktrace-depth
		echo "${range% *}" >$dir/require-start
		echo "${range#* }" >$dir/require-end
		echo "${reject% *}" >$dir/reject-start
		echo "${reject#* }" >$dir/reject-end
		echo $FAULT_BUDGET >$dir/times
	done
	echo 0 >/sys/kernel/debug/fail_page_alloc/min-order
	echo N >/sys/kernel/debug/fail_page_alloc/ignore-gfp-highmem
	for kind in $FAULT_KINDS; do echo "$2" >/sys/kernel/debug/$kind/probability; done
}

# fault_disarm: no more failures; prints "KIND=COUNT ..." of the failures injected since fault_arm.
fault_disarm() {
	local kind counts=
	for kind in $FAULT_KINDS; do
		echo 0 >/sys/kernel/debug/$kind/probability
		counts="$counts $kind=$((FAULT_BUDGET - $(cat /sys/kernel/debug/$kind/times)))"
	done
	echo ${counts# }
}

# fault_total "KIND=COUNT ...": the sum of the counts.
fault_total() {
	local pair total=0
	for pair in $1; do total=$((total + ${pair#*=})); done
	echo $total
}

# Without the kernel's fault injection (Debian's kernel, the perf kernel) there is nothing to run.
fault_available() {
	local kind
	for kind in $FAULT_KINDS; do
		[ -d /sys/kernel/debug/$kind ] || return 1
	done
	[ -e /sys/kernel/debug/failslab/require-start ]
}
