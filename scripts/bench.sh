#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Usage: bench.sh KERNEL_DIR INITRD RESULTS_DIR — boots one perf-kernel guest per comparison
# (tests/guest/suite-bench-*.sh), in which the C and the Rust driver take turns, then writes
# the Markdown table to RESULTS_DIR/bench.md and, with the date, kernel and machine, to
# docs/benchmarks.md. BENCH_REPS (default 3) and BENCH_MIB (default 64) size the runs.
. "$(dirname "$0")/lib.sh"

kdir=${1:?KERNEL_DIR}
initrd=${2:?INITRD}
results=${3:?RESULTS_DIR}
rm -rf "$results" && mkdir -p "$results"
for suite in bench-aoe; do
	step "$suite (perf kernel)"
	"$TOP/scripts/qemu-run.sh" "$kdir/arch/x86/boot/bzImage" "$initrd" "$results/$suite.log" \
		mem=1024 cpus=2 timeout=3600 -- "suite=$suite" driver=both \
		"BENCH_REPS=${BENCH_REPS:-3}" "BENCH_MIB=${BENCH_MIB:-64}" >/dev/null || true
done
rc=0
"$TOP/scripts/bench-report.py" "$results" "raoe vs aoe.ko: dd O_DIRECT bs=1M, ${BENCH_MIB:-64} MiB, vblade on a veth" \
	>"$results/bench.md" || rc=$?
{
	echo "# Benchmarks"
	echo
	echo "Measured $(date -u +%Y-%m-%d) by \`make bench\` on the perf kernel ($(basename "$kdir")," \
		"Linux $(make -s -C "$kdir" kernelversion 2>/dev/null)), QEMU TCG with 2 vCPUs on" \
		"$(nproc) host cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'))." \
		"Ratios are Rust/C medians; TCG makes absolute numbers small, the ratios are what matter."
	echo
	cat "$results/bench.md"
} >"$TOP/docs/benchmarks.md"
cat "$results/bench.md"
exit $rc
