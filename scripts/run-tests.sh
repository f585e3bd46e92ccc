#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Usage: run-tests.sh KERNEL INITRD RESULTS_DIR DRIVERS [SUITES]
# Boots one guest per (suite, driver) listed in tests/suites.conf, restricted to DRIVERS
# (c, rust or both) and to SUITES (comma-separated, default all). Logs land in RESULTS_DIR.
. "$(dirname "$0")/lib.sh"

kernel=${1:?KERNEL}
initrd=${2:?INITRD}
results=${3:?RESULTS_DIR}
drivers=${4:-both}
only=${5:-}
[ "$drivers" = both ] && drivers=c,rust
mkdir -p "$results"

while read -r suite supported mem cpus timeout extra; do
	case "$suite" in "" | \#*) continue ;; esac
	[ -z "$only" ] || [[ ",$only," == *",$suite,"* ]] || continue
	[ "$extra" != - ] || extra=
	for driver in ${drivers//,/ }; do
		if [[ ",$supported," != *",$driver,"* ]]; then
			printf '==> %s (%s): not run: tests/suites.conf does not list the %s driver for it\n' "$suite" "$driver" "$driver"
			echo "not run for the $driver driver (tests/suites.conf)" >"$results/$suite-$driver.skipped"
			continue
		fi
		step "suite $suite ($driver driver, ${mem} MiB, $cpus CPUs)"
		start=$(date +%s)
		"$TOP/scripts/qemu-run.sh" "$kernel" "$initrd" "$results/$suite-$driver.log" \
			mem="$mem" cpus="$cpus" timeout="$timeout" -- "suite=$suite" "driver=$driver" $extra || true
		printf '    %s-%s took %ss\n' "$suite" "$driver" $(($(date +%s) - start)) >&2
	done
done <"$TOP/tests/suites.conf"
