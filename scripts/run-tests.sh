#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Usage: run-tests.sh KERNEL INITRD RESULTS_DIR DRIVERS [SUITES]
# Boots one guest per (suite, driver) listed in tests/suites.conf, restricted to DRIVERS
# (c, rust or both) and to SUITES (comma-separated, default all but SKIP_SUITES, also
# comma-separated); the C guests of SKIP_C_SUITES are left out. Logs land in RESULTS_DIR.
# GUEST_JOBS guests (default 1) run at once; with more, the consoles are not shown live. On 2
# cores two guests starve each other: aoe.ko's kthreads slow down several-fold under contention.
. "$(dirname "$0")/lib.sh"

kernel=${1:?KERNEL}
initrd=${2:?INITRD}
results=${3:?RESULTS_DIR}
drivers=${4:-both}
only=${5:-}
[ "$drivers" = both ] && drivers=c,rust
jobs_max=${GUEST_JOBS:-1}
# The C drivers are the reference the tests are checked against, not the code under test: their
# guests boot without slab poisoning and page unmapping, which make TCG runs 2-3 times slower.
# Lockdep, DEBUG_VM, KFENCE, slab red zones and the hung-task detector stay on for them too.
REFERENCE_ARGS="slub_debug=FZ debug_pagealloc=off"
# FLAVOR=distro: Debian's kernel has none of the checkers those arguments tune; slub_debug would
# turn slab debugging on there.
flavor=${FLAVOR:-debug}
# KASAN checks every access: under TCG its guests take about three times as long. It finds what
# slab poisoning and page unmapping would (use after free, out of bounds), so its guests boot
# without them; lockdep, DEBUG_VM, KFENCE, red zones and the hung-task detector stay on.
# Its shadow (an eighth of memory), quarantine and larger kernel take about 95 MiB more of a
# 256 MiB guest than the debug kernel does: its guests get that much more memory.
timeout_factor=1
kasan_extra_mib=0
KASAN_ARGS=
if [ "$flavor" = kasan ]; then
	timeout_factor=3
	kasan_extra_mib=128
	KASAN_ARGS="slub_debug=FZ debug_pagealloc=off"
fi
mkdir -p "$results"
TRIXIE_SUITES="zram-tools"

# boot_guest LOG MEM CPUS TIMEOUT [KERNEL ARGS...]
boot_guest() {
	local log=$1 mem=$2 cpus=$3 timeout=$4
	shift 4
	if [ "$jobs_max" -gt 1 ]; then
		"$TOP/scripts/qemu-run.sh" "$kernel" "$initrd" "$log" mem="$mem" cpus="$cpus" \
			timeout="$timeout" -- "$@" >/dev/null 2>&1
	else
		"$TOP/scripts/qemu-run.sh" "$kernel" "$initrd" "$log" mem="$mem" cpus="$cpus" \
			timeout="$timeout" -- "$@"
	fi
}

# run_guest SUITE DRIVER MEM CPUS TIMEOUT [KERNEL ARGS...]
# A guest whose kernel crashed before /init started the suite (no "# suite" line: none of the
# code under test had run) is booted once more; its first log is kept as .early-crash.txt. Under
# TCG with two vCPUs, Debian's kernel has been seen to take a stale int3 while patching a static
# key at boot (sched_clock_init_late), a cross-modifying-code race of QEMU's, not the kernel's.
run_guest() {
	local suite=$1 driver=$2 mem=$3 cpus=$4 timeout=$5 start log
	shift 5
	start=$(date +%s)
	log=$results/$suite-$driver.log
	boot_guest "$log" "$mem" "$cpus" "$timeout" "suite=$suite" "driver=$driver" "$@" || true
	if ! grep -q '^# suite ' "$log" && grep -qE 'Kernel panic|Oops' "$log"; then
		mv "$log" "${log%.log}.early-crash.txt"
		printf '    %s-%s: the kernel crashed before the suite started; booting it again\n' \
			"$suite" "$driver" >&2
		boot_guest "$log" "$mem" "$cpus" "$timeout" "suite=$suite" "driver=$driver" "$@" || true
	fi
	printf '    %s-%s took %ss\n' "$suite" "$driver" $(($(date +%s) - start)) >&2
}

while read -r suite supported mem cpus timeout extra; do
	case "$suite" in "" | \#*) continue ;; esac
	[ -z "$only" ] || [[ ",$only," == *",$suite,"* ]] || continue
	[ -n "$only" ] || [[ ",${SKIP_SUITES:-}," != *",$suite,"* ]] || continue
	[ "$extra" != - ] || extra=
	# The suites that run trixie's programs, which only the distro flavour's guest has.
	if [[ " $TRIXIE_SUITES " == *" $suite "* ]] && [ "$flavor" != distro ]; then
		printf '==> %s: not run: it needs FLAVOR=distro (trixie programs)\n' "$suite"
		for driver in ${drivers//,/ }; do
			echo "not run on $flavor: it needs FLAVOR=distro's trixie programs" >"$results/$suite-$driver.skipped"
		done
		continue
	fi
	mem=$((mem + kasan_extra_mib))
	for driver in ${drivers//,/ }; do
		if [[ ",$supported," != *",$driver,"* ]]; then
			printf '==> %s (%s): not run: tests/suites.conf does not list the %s driver for it\n' "$suite" "$driver" "$driver"
			echo "not run for the $driver driver (tests/suites.conf)" >"$results/$suite-$driver.skipped"
			continue
		fi
		if [ "$driver" = c ] && [[ ",${SKIP_C_SUITES:-}," == *",$suite,"* ]]; then
			printf '==> %s (c): not run here: its C guest runs on Debian'"'"'s kernel\n' "$suite"
			continue
		fi
		step "suite $suite ($driver driver, ${mem} MiB, $cpus CPUs)"
		args=$extra
		[ "$driver" = c ] && args="$args $REFERENCE_ARGS"
		# kmemleak (tests/guest/kmemleak.sh) for the code under test, where the kernel has it;
		# suites marked kmemleak:deep only on the KASAN kernel (make check-deep).
		if [ "$driver" = rust ] && { [ "$flavor" = kasan ] ||
			{ [ "$flavor" = debug ] && [[ " $extra " != *" kmemleak:deep "* ]]; }; }; then
			args="$args kmemleak=on"
		fi
		args="$args $KASAN_ARGS"
		kept="flavor=$flavor raoe_name=${RAOE_NAME:-raoe}"
		for arg in $args; do
			case "$flavor:$arg" in
			*:kmemleak:deep) ;;
			distro:slub_debug=* | distro:debug_pagealloc=*) ;;
			kasan:slub_debug=* | kasan:debug_pagealloc=*) [[ " $KASAN_ARGS " == *" $arg "* ]] && kept="$kept $arg" ;;
			*) kept="$kept $arg" ;;
			esac
		done
		args=$kept
		# shellcheck disable=SC2086 # $args is a list of kernel arguments.
		run_guest "$suite" "$driver" "$mem" "$cpus" $((timeout * timeout_factor)) $args </dev/null &
		while [ "$(jobs -rp | wc -l)" -ge "$jobs_max" ]; do
			wait -n || true
		done
	done
done <"$TOP/tests/suites.conf"
wait
