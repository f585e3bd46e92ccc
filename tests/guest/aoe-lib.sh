# SPDX-License-Identifier: GPL-2.0
# AoE fixtures shared by the AoE suites: a veth pair, a vblade target exporting a random image,
# and the initiator under test (aoe.ko or raoe) bound to the other end.

AOE_IMG=/tmp/aoe.img
AOE_SHELF=0
AOE_SLOT=1
AOE_DEV=/dev/etherd/e$AOE_SHELF.$AOE_SLOT
AOE_SYS=/sys/block/etherd!e$AOE_SHELF.$AOE_SLOT

aoe_module() {
	if [ "$DRIVER" = rust ]; then echo raoe; else echo aoe; fi
}

# aoe_setup IMAGE_MIB: veth0 (initiator) <-> veth1 (vblade), image of random data.
aoe_setup() {
	local mib=$1 i
	ip link add veth0 type veth peer name veth1 || return 1
	ip link set veth0 up && ip link set veth1 up || return 1
	dd if=/dev/urandom of=$AOE_IMG bs=1M count="$mib" status=none || return 1
	vblade $AOE_SHELF $AOE_SLOT veth1 $AOE_IMG >/tmp/vblade.log 2>&1 &
	AOE_VBLADE_PID=$!
	modprobe "$(aoe_module)" aoe_iflist=veth0 || return 1
	for i in $(seq 1 150); do
		[ -b "$AOE_DEV" ] && [ "$(cat "$AOE_SYS/state" 2>/dev/null)" = up ] && return 0
		[ $((i % 20)) -eq 0 ] && aoe-discover
		sleep 0.2
	done
	diag "no $AOE_DEV after 30 s; vblade log: $(cat /tmp/vblade.log)"
	return 1
}

# The initiator holds references on its interfaces: it goes before the veth pair does.
aoe_teardown() {
	local rc=0
	kill "$AOE_VBLADE_PID" 2>/dev/null
	wait "$AOE_VBLADE_PID" 2>/dev/null
	rmmod "$(aoe_module)" || rc=1
	ip link del veth0 2>/dev/null
	return $rc
}

# raoe_counter NAME: a counter from raoe's report when the device was removed.
raoe_counter() {
	dmesg | grep -o "raoe: e$AOE_SHELF.$AOE_SLOT: removed;.*" | tail -n 1 |
		sed -n "s/.*[;,] $1 \([0-9]*\).*/\1/p"
}

# One test point: raoe pinned pages for writes and the stack released every one of them.
check_pins_balance() {
	local taken released
	diag "$(dmesg | grep -o "raoe: e$AOE_SHELF.$AOE_SLOT: removed;.*" | tail -n 1)"
	taken=$(raoe_counter "pins taken")
	released=$(raoe_counter released)
	if [ -n "$taken" ] && [ "$taken" -gt 0 ] && [ "$taken" = "$released" ]; then
		pass pins-balance
	else
		fail pins-balance "taken '$taken', released '$released'"
	fi
}

# write_read_verify BS COUNT AT SRC: writes COUNT blocks of fresh random data (kept in SRC) with
# oflag=direct at byte AT, reads them back with iflag=direct and from the target's image; on a
# difference or a failed write, says what went wrong and fails.
write_read_verify() {
	local bs=$1 count=$2 at=$3 src=$4 got img want
	dd if=/dev/urandom of="$src" bs="$bs" count="$count" status=none
	if ! dd if="$src" of=$AOE_DEV bs="$bs" count="$count" seek="$at" oflag=direct,seek_bytes status=none; then
		echo "dd oflag=direct failed"
		return 1
	fi
	got=$(dd if=$AOE_DEV bs="$bs" count="$count" skip="$at" iflag=direct,skip_bytes status=none | md5sum | cut -d' ' -f1)
	img=$(dd if=$AOE_IMG bs="$bs" count="$count" skip="$at" iflag=skip_bytes status=none | md5sum | cut -d' ' -f1)
	want=$(md5 "$src")
	[ "$got" = "$want" ] && [ "$img" = "$want" ] && return 0
	echo "src $want, device $got, image $img"
	return 1
}

# direct_io_loops PREFIX OFFSET_MIB: for each block size, writes fresh random data with
# oflag=direct at its own offset and checks it through the device and on the target's image;
# one test point per block size. 4 KiB I/O is slow under TCG, so it moves less data.
direct_io_loops() {
	local prefix=$1 offset_mib=$2 spec name bs total_mib count at msg
	for spec in 4k:4096:1 64k:65536:4 1M:1048576:8 4M:4194304:8 10M:10485760:20; do
		IFS=: read -r name bs total_mib <<<"$spec"
		count=$((total_mib * 1048576 / bs))
		at=$((offset_mib * 1048576))
		offset_mib=$((offset_mib + total_mib))
		if msg=$(write_read_verify "$bs" "$count" "$at" /tmp/src); then
			pass "$prefix-$name"
		else
			fail "$prefix-$name" "$msg"
		fi
	done
}

# wait_dmesg PATTERN: waits up to 10 s for kernel log lines matching PATTERN and prints them.
wait_dmesg() {
	local i lines
	for i in $(seq 1 50); do
		lines=$(dmesg | grep "$1")
		[ -n "$lines" ] && break
		sleep 0.2
	done
	echo "$lines"
}
