# SPDX-License-Identifier: GPL-2.0
# Side by side, one guest, one vblade: aoe.ko and raoe take turns (BENCH_REPS rounds, aoe.ko
# first in odd rounds, raoe first in even ones), each timing a sequential O_DIRECT bs=1M write
# then read of the whole BENCH_MIB image, and the CPU time the guest spent (all CPUs, non-idle).
# Every transfer is checked by checksum; one bench line per run (bench-lib.sh) feeds
# scripts/bench-report.py.
. /tests/guest/aoe-lib.sh
. /tests/guest/bench-lib.sh

MIB=${BENCH_MIB:-64}
REPS=${BENCH_REPS:-3}
ip link add veth0 type veth peer name veth1 && ip link set veth0 up && ip link set veth1 up
dd if=/dev/urandom of=$AOE_IMG bs=1M count="$MIB" status=none
dd if=/dev/urandom of=/tmp/src bs=1M count="$MIB" status=none
vblade $AOE_SHELF $AOE_SLOT veth1 $AOE_IMG >/tmp/vblade.log 2>&1 &
AOE_VBLADE_PID=$!
echo "bench-title: raoe vs aoe.ko: dd O_DIRECT bs=1M, $MIB MiB, vblade on a veth"

for round in $(seq 1 "$REPS"); do
	order="c rust"
	[ $((round % 2)) -eq 0 ] && order="rust c"
	for DRIVER in $order; do
		modprobe "$(aoe_module)" aoe_iflist=veth0 || { fail "bench-$DRIVER-load" "modprobe failed"; continue; }
		aoe_wait_up e$AOE_SHELF.$AOE_SLOT 10 || { fail "bench-$DRIVER-up" "no device"; rmmod "$(aoe_module)"; continue; }
		bench_throughput "$DRIVER" write "$MIB" dd if=/tmp/src of=$AOE_DEV bs=1M oflag=direct status=none
		bench_throughput "$DRIVER" read "$MIB" dd if=$AOE_DEV of=/tmp/read bs=1M iflag=direct status=none
		expect_eq "bench-$DRIVER-round-$round-data" "$(md5 /tmp/src)" "$(md5 /tmp/read)"
		# Each driver's own view of the link (RTT, windows, retransmits), to explain the numbers.
		if [ "$DRIVER" = rust ]; then
			diag "$(cat /sys/kernel/debug/raoe/e$AOE_SHELF.$AOE_SLOT/stats)"
		else
			diag "$(cat /sys/kernel/debug/aoe/e$AOE_SHELF.$AOE_SLOT)"
		fi
		rm -f /tmp/read
		rmmod "$(aoe_module)"
	done
done
