# SPDX-License-Identifier: GPL-2.0
# Side by side, one guest, one vblade per link: aoe.ko and raoe take turns (BENCH_REPS rounds,
# aoe.ko first in odd rounds, raoe first in even ones) on each link: MTU 1500, MTU 9000, MTU 1500
# with 1 % netem loss both ways. Each turn loads the driver afresh, so it picks up the link's MTU
# (its payload is checked), and runs fio (io_uring, O_DIRECT) for BENCH_SECONDS per test over a
# BENCH_MIB MiB region: sequential write and read in 1 MiB blocks at queue depth 1, 4 KiB random
# read and write at queue depths 1 and 32.
#
# Every 4 KiB block of the region carries fio's verify header (its offset, CRC-32C of the data):
# the read tests check every block they read; after each write test, the whole region is checked
# on the target's image. A write lost outright would leave an older valid block, so each turn
# also writes fresh random data in 4 KiB and 1 MiB blocks before the region and compares it
# read back through the device and on the image.
#
# Prints "bench: DRIVER TEST VALUE UNIT CPU_MS_PER_GIB" per run (scripts/bench-report.py). The
# CPU time is the whole guest's, non-idle: the vblade target shares the guest, so the difference
# between the drivers is the initiator's. Speed is reported, never asserted.
. /tests/guest/aoe-lib.sh
. /tests/guest/bench-lib.sh

MIB=${BENCH_MIB:-64}
REPS=${BENCH_REPS:-3}
RUNTIME=${BENCH_SECONDS:-8}
CHECK_MIB=2
# Links: name, MTU, netem loss in % (0: none).
LINKS="mtu1500:1500:0 mtu9000:9000:0 loss1:1500:1"
# Tests: name, fio rw, block size, queue depth, unit of the result.
TESTS="seq-write-1M:write:1M:1:MB/s seq-read-1M:read:1M:1:MB/s
randread-4k-qd1:randread:4k:1:IOPS randread-4k-qd32:randread:4k:32:IOPS
randwrite-4k-qd1:randwrite:4k:1:IOPS randwrite-4k-qd32:randwrite:4k:32:IOPS"
REGION="--offset=${CHECK_MIB}M --size=${MIB}M --verify=crc32c --verify_interval=4k --verify_fatal=1"
# Two writes to one block in flight at once may land in either order, frame by frame (a lost
# frame is resent later): fio holds back an I/O that overlaps one in flight.
RANDOM_IO="--norandommap --serialize_overlap=1"

echo "bench-title: raoe vs aoe.ko, vblade on a veth in the same guest: fio io_uring O_DIRECT," \
	"$RUNTIME s per test over $MIB MiB, rounds: $REPS"

driver_stats() {
	if [ "$DRIVER" = rust ]; then
		cat /sys/kernel/debug/raoe/e$AOE_SHELF.$AOE_SLOT/stats
	else
		cat /sys/kernel/debug/aoe/e$AOE_SHELF.$AOE_SLOT
	fi
}

# bounded SECONDS COMMAND...: runs COMMAND (output in /tmp/cmd.out, errors in /tmp/cmd.err) for
# at most SECONDS. The perf kernel has no hung-task detector: on overrun, shows the driver's
# stats and the blocked tasks, and returns 124 with COMMAND left behind, stuck in I/O.
bounded() {
	local limit=$1 pid watchdog finished rc
	shift
	"$@" >/tmp/cmd.out 2>/tmp/cmd.err &
	pid=$!
	sleep "$limit" &
	watchdog=$!
	wait -n -p finished $pid $watchdog
	rc=$?
	if [ "$finished" = $pid ]; then
		kill $watchdog
		wait $watchdog 2>/dev/null
		return $rc
	fi
	diag "stalled: '$*' still running after $limit s"
	diag "$(driver_stats)"
	echo w >/proc/sysrq-trigger
	return 124
}

# bench_fio LINK TEST_SPEC: one timed fio run of $DRIVER on the region; its result line.
bench_fio() {
	local link=$1 name rw bs qd unit jiffies value kib rc=0
	IFS=: read -r name rw bs qd unit <<<"$2"
	name=$name@$link
	jiffies=$(busy_jiffies)
	# shellcheck disable=SC2086 # $REGION is a list of options.
	bounded $((RUNTIME + 60)) fio --name="$name" --filename=$AOE_DEV $REGION --rw="$rw" --bs="$bs" \
		--iodepth="$qd" --ioengine=io_uring --direct=1 $RANDOM_IO --time_based \
		--runtime="$RUNTIME" --do_verify=0 --output-format=terse || rc=$?
	if [ $rc -ne 0 ]; then
		fail "$name-$DRIVER" "fio exit $rc: $(head -c 500 /tmp/cmd.err)"
		return $rc
	fi
	jiffies=$(($(busy_jiffies) - jiffies))
	# Terse format 3: fields 6-8 are the read KiB, KiB/s and IOPS; the write ones are 41 further.
	read -r value kib <<<"$(awk -F';' -v rw="$rw" -v unit="$unit" '{
		w = rw ~ /write/ ? 41 : 0
		if (unit == "IOPS") printf "%d %d\n", $(8 + w), $(6 + w)
		else printf "%.2f %d\n", $(7 + w) * 1.024 / 1000, $(6 + w) }' /tmp/cmd.out)"
	bench_line "$DRIVER" "$name" "$value" "$unit" "$jiffies" "$kib"
}

# bench_line DRIVER TEST VALUE UNIT JIFFIES KIB: the result line, with the CPU time per GiB moved
# ("-" when nothing moved).
bench_line() {
	awk -v d="$1" -v t="$2" -v v="$3" -v u="$4" -v j="$5" -v kib="$6" 'BEGIN {
		printf "bench: %s %s %s %s %s\n", d, t, v, u, (kib > 0 ? sprintf("%.0f", j * 10 * 1048576 / kib) : "-") }'
}

# check_region NAME: one test point: every block of the region on the target's image is whole
# and where its header says it belongs.
check_region() {
	# shellcheck disable=SC2086 # $REGION is a list of options.
	if fio --name=check --filename=$AOE_IMG $REGION --rw=read --bs=1M --output-format=terse \
		>/dev/null 2>/tmp/fio.err; then
		pass "$1"
	else
		fail "$1" "$(head -c 500 /tmp/fio.err)"
	fi
}

# fresh_data_check NAME: one test point: fresh random data written in 4 KiB and in 1 MiB blocks
# reads back the same through the device and on the image.
fresh_data_check() {
	if bounded 300 write_read_verify 4096 64 0 /tmp/src &&
		bounded 300 write_read_verify 1048576 1 1048576 /tmp/src; then
		pass "$1"
	else
		[ $? -eq 124 ] && return 124
		fail "$1" "$(cat /tmp/cmd.out)"
	fi
}

# bench_turn LINK ROUND: the tests of $DRIVER on the link that is up. Returns 124 on a stall.
bench_turn() {
	local link=$1 round=$2 spec
	fresh_data_check "$link-$DRIVER-round-$round-fresh-data" || return
	for spec in $TESTS; do
		bench_fio "$link" "$spec"
		[ $? -ne 124 ] || return 124
		case "$spec" in
		*write*) check_region "${spec%%:*}@$link-$DRIVER-round-$round-image" ;;
		esac
	done
	# Each driver's own view of the link (RTT, windows, retransmits), to explain the numbers.
	diag "$(driver_stats)"
}

# bench_links: every link, every round, both drivers; returns 124 on a stall. DRIVER is local:
# the KTAP document names the suite with the guest's own, "both".
bench_links() {
	local DRIVER spec link mtu loss dev payload round order
	for spec in $LINKS; do
		IFS=: read -r link mtu loss <<<"$spec"
		if ! aoe_target_up $((CHECK_MIB + MIB)) mtu="$mtu"; then
			fail "$link-target" "veth or vblade setup failed"
			aoe_target_down
			continue
		fi
		if [ "$loss" != 0 ]; then
			for dev in veth0 veth1; do
				tc qdisc add dev $dev root netem loss "$loss%" limit 10000 ||
					fail "$link-netem" "tc netem on $dev failed"
			done
		fi
		# A verify header on every block of the region from the start, written on the target's side.
		# shellcheck disable=SC2086 # $REGION is a list of options.
		fio --name=fill --filename=$AOE_IMG $REGION --rw=write --bs=1M --do_verify=0 --output-format=terse \
			>/dev/null 2>/tmp/fio.err || fail "$link-fill" "$(head -c 500 /tmp/fio.err)"
		# vblade and the drivers carry (MTU - 36) / 512 sectors in a frame.
		payload=$(((mtu - 36) / 512 * 512))
		for round in $(seq 1 "$REPS"); do
			order="c rust"
			[ $((round % 2)) -eq 0 ] && order="rust c"
			for DRIVER in $order; do
				if ! aoe_initiator_up; then
					fail "$link-$DRIVER-round-$round-up" "no device"
					rmmod "$(aoe_module)"
					continue
				fi
				if [ "$round" = 1 ]; then
					expect_eq "$link-$DRIVER-payload" $payload "$(cat "$AOE_SYS/payload")"
					echo "bench-info: $DRIVER payload@$link $(cat "$AOE_SYS/payload") bytes"
				fi
				bench_turn "$link" "$round" || return 124
				rmmod "$(aoe_module)" || fail "$link-$DRIVER-round-$round-unload" "rmmod failed"
			done
		done
		aoe_target_down
	done
}

bench_links || fail stall "I/O stalled; the suite stopped there"
