# SPDX-License-Identifier: GPL-2.0
# What the bench suites share: timing and CPU accounting, and the lines scripts/bench-report.py
# reads, speed being reported, never asserted:
#   bench-title: TEXT                                   once per suite
#   bench: DRIVER TEST VALUE UNIT CPU_MS_PER_GIB        UNIT MB/s or IOPS (higher is better) or
#                                                       s (a duration, lower is better); CPU "-"
#                                                       when not measured
#   bench-info: DRIVER|- KEY VALUE...                   informational

# Non-idle jiffies of all CPUs so far.
busy_jiffies() {
	awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 }' /proc/stat
}

# seconds_since START: seconds elapsed since START, an $EPOCHREALTIME reading (microseconds:
# /proc/uptime's 10 ms would be a tenth of a fast transfer).
seconds_since() {
	awk -v s="$1" -v e="$EPOCHREALTIME" 'BEGIN { printf "%.4f", e - s }'
}

# cpu_ms_per_gib JIFFIES MIB: the guest's CPU time per GiB moved (/proc/stat counts in USER_HZ,
# 100 per second).
cpu_ms_per_gib() {
	awk -v j="$1" -v mib="$2" 'BEGIN { printf "%.0f", (mib > 0 ? j * 10 * 1024 / mib : 0) }'
}

# bench_throughput DRIVER TEST MIB COMMAND...: runs COMMAND, which moves MIB MiB, and prints its
# bench line in MB/s, also left in BENCH_RATE; a failing COMMAND is a failed test point.
bench_throughput() {
	local driver=$1 test=$2 mib=$3 start seconds jiffies rc=0
	shift 3
	jiffies=$(busy_jiffies)
	start=$EPOCHREALTIME
	"$@" || rc=$?
	seconds=$(seconds_since "$start")
	jiffies=$(($(busy_jiffies) - jiffies))
	if [ $rc -ne 0 ]; then
		fail "bench-$driver-$test" "exit $rc"
		return 1
	fi
	BENCH_RATE=$(awk -v mib="$mib" -v s="$seconds" 'BEGIN { printf "%.1f", (s > 0 ? mib * 1.048576 / s : 0) }')
	echo "bench: $driver $test $BENCH_RATE MB/s $(cpu_ms_per_gib "$jiffies" "$mib")"
}

# bench_duration DRIVER TEST COMMAND...: runs COMMAND and prints its bench line in seconds; a
# failing COMMAND is a failed test point.
bench_duration() {
	local driver=$1 test=$2 start rc=0
	shift 2
	start=$EPOCHREALTIME
	"$@" || rc=$?
	if [ $rc -ne 0 ]; then
		fail "bench-$driver-$test" "exit $rc"
		return 1
	fi
	echo "bench: $driver $test $(seconds_since "$start") s -"
}
