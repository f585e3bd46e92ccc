#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Usage: bench.sh KERNEL_DIR INITRD RESULTS_DIR — boots one perf-kernel guest per comparison
# (tests/guest/suite-bench-*.sh), in which the C and the Rust driver take turns, then writes the
# Markdown tables to RESULTS_DIR/bench.md, the chart of the Rust/C ratios to RESULTS_DIR/bench.png
# and, with the date, kernel and machine, the tables to docs/benchmarks.md. Every BENCH_*
# variable in the environment reaches the guests (BENCH_REPS, BENCH_MIB...; defaults in the suites).
. "$(dirname "$0")/lib.sh"

# The comparisons, one guest each: suite (tests/guest/suite-NAME.sh), guest RAM in MiB, timeout
# in seconds, extra kernel arguments ("-" for none). A suite whose script is not there is skipped.
COMPARISONS="
bench-aoe   1024  3600  -
bench-zram  1024  3600  -
"

kdir=${1:?KERNEL_DIR}
initrd=${2:?INITRD}
results=${3:?RESULTS_DIR}
rm -rf "$results" && mkdir -p "$results"
settings=()
for var in $(compgen -e | grep '^BENCH_' || true); do
	settings+=("$var=${!var}")
done
while read -r suite mem timeout extra; do
	[ -n "$suite" ] || continue
	if [ ! -f "$TOP/tests/guest/suite-$suite.sh" ]; then
		step "$suite: skipped, no tests/guest/suite-$suite.sh"
		continue
	fi
	[ "$extra" != - ] || extra=
	step "$suite (perf kernel, $mem MiB${settings[*]:+, ${settings[*]}})"
	# shellcheck disable=SC2086 # $extra is a list of kernel arguments.
	"$TOP/scripts/qemu-run.sh" "$kdir/arch/x86/boot/bzImage" "$initrd" "$results/$suite.log" \
		mem="$mem" cpus=2 timeout="$timeout" -- "suite=$suite" driver=both "${settings[@]}" $extra |
		grep --line-buffered -E '^  \| (bench|# FAIL)' || true
done <<<"$COMPARISONS"

step "report"
rc=0
"$TOP/scripts/bench-report.py" "$results" --chart "$results/bench.png" >"$results/bench.md" || rc=$?
{
	echo "# Benchmarks"
	echo
	echo "Measured $(date -u +%Y-%m-%d) by \`make bench\` on the perf kernel ($(basename "$kdir")," \
		"Linux $(make -s -C "$kdir" kernelversion 2>/dev/null)), QEMU TCG with 2 vCPUs on" \
		"$(nproc) host cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'))." \
		"Ratios are Rust/C medians; TCG makes absolute numbers small, the ratios are what matter." \
		"The chart of the ratios is \`${results#"$TOP"/}/bench.png\`."
	echo
	cat "$results/bench.md"
} >"$TOP/docs/benchmarks.md"
cat "$results/bench.md"
exit $rc
