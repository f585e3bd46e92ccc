# SPDX-License-Identifier: GPL-2.0
# AoE fixtures shared by the AoE suites: a veth pair, a vblade target exporting a random image,
# and the initiator under test (aoe.ko or raoe) bound to the other end.

AOE_IMG=/tmp/aoe.img
AOE_SHELF=0
AOE_SLOT=1
AOE_DEV=/dev/etherd/e$AOE_SHELF.$AOE_SLOT
AOE_SYS=/sys/block/etherd!e$AOE_SHELF.$AOE_SLOT

# The initiator's module name: aoe for aoe.ko; for raoe its own, or with RAOE_NAME=aoe (`make
# test RAOE_NAME=aoe`) aoe, the build that takes aoe.ko's place (raoe_as_aoe_install).
aoe_module() {
	if [ "$DRIVER" = rust ]; then echo "${RAOE_NAME:-raoe}"; else echo aoe; fi
}

# Puts raoe built as aoe.ko (/opt/raoe-as-aoe) in updates/, which modprobe searches before the
# kernel's own modules, as the DKMS package does with RAOE_MODULE_NAME=aoe.
raoe_as_aoe_install() {
	local dir
	dir=/lib/modules/$(uname -r)/updates/raoe-as-aoe
	[ -d "$dir" ] && return 0
	mkdir -p "$dir" && cp /opt/raoe-as-aoe/aoe.ko* "$dir/" && depmod
}
if [ "$DRIVER" = rust ] && [ "${RAOE_NAME:-raoe}" = aoe ]; then
	raoe_as_aoe_install || diag "cannot put raoe in aoe.ko's place"
fi

# aoe_setup IMAGE_MIB [mtu=MTU] [MODULE_PARAMETER...]: veth0 (initiator) <-> veth1 (vblade),
# image of random data, the initiator loaded with aoe_iflist=veth0 and the parameters given.
# With mtu=, both ends get it before vblade starts (vblade sizes its frames from it at startup).
aoe_setup() {
	local mib=$1 mtu=
	shift
	case "${1:-}" in mtu=*) mtu=$1 && shift ;; esac
	# shellcheck disable=SC2086 # no mtu= argument when $mtu is empty.
	aoe_target_up "$mib" $mtu && aoe_initiator_up "$@"
}

# aoe_target_up IMAGE_MIB [mtu=MTU]: the veth pair and vblade exporting a random image on veth1.
aoe_target_up() {
	local mib=$1 mtu=
	case "${2:-}" in mtu=*) mtu=${2#mtu=} ;; esac
	ip link add veth0 type veth peer name veth1 || return 1
	if [ -n "$mtu" ]; then
		ip link set veth0 mtu "$mtu" && ip link set veth1 mtu "$mtu" || return 1
	fi
	ip link set veth0 up && ip link set veth1 up || return 1
	dd if=/dev/urandom of=$AOE_IMG bs=1M count="$mib" status=none || return 1
	vblade $AOE_SHELF $AOE_SLOT veth1 $AOE_IMG >/tmp/vblade.log 2>&1 &
	AOE_VBLADE_PID=$!
}

# aoe_initiator_up [MODULE_PARAMETER...]: loads the initiator on veth0 and waits for the device.
aoe_initiator_up() {
	local i
	modprobe "$(aoe_module)" aoe_iflist=veth0 "$@" || return 1
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
	aoe_vblade_stop
	rmmod "$(aoe_module)" || rc=1
	ip link del veth0 2>/dev/null
	return $rc
}

# aoe_target_down: the target and the veth pair, once the initiator is unloaded.
aoe_target_down() {
	aoe_vblade_stop
	ip link del veth0 2>/dev/null
}

aoe_vblade_stop() {
	kill "$AOE_VBLADE_PID" 2>/dev/null
	wait "$AOE_VBLADE_PID" 2>/dev/null
}

# raoe_counter NAME: a counter from raoe's report when the device was removed.
raoe_counter() {
	dmesg | grep -o "$(aoe_module): e$AOE_SHELF.$AOE_SLOT: removed;.*" | tail -n 1 |
		sed -n "s/.*[;,] $1 \([0-9]*\).*/\1/p"
}

# raoe_stat NAME: a counter from raoe's debugfs stats of the device.
raoe_stat() {
	sed -n "s/^$1 \([0-9]*\)$/\1/p" "/sys/kernel/debug/raoe/e$AOE_SHELF.$AOE_SLOT/stats"
}

# check_pins_balance [NAME]: one test point (default pins-balance): raoe pinned pages for
# writes and the stack released every one of them.
check_pins_balance() {
	local name=${1:-pins-balance} taken released
	diag "$(dmesg | grep -o "$(aoe_module): e$AOE_SHELF.$AOE_SLOT: removed;.*" | tail -n 1)"
	taken=$(raoe_counter "pins taken")
	released=$(raoe_counter released)
	if [ -n "$taken" ] && [ "$taken" -gt 0 ] && [ "$taken" = "$released" ]; then
		pass "$name"
	else
		fail "$name" "taken '$taken', released '$released'"
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
# one test point per block size (35 MiB in all). Small I/O is slow under TCG, so it moves less
# data; 4M and 10M move two transfers' worth at least.
direct_io_loops() {
	local prefix=$1 offset_mib=$2 spec name bs total_mib count at msg
	for spec in 4k:4096:1 64k:65536:2 1M:1048576:4 4M:4194304:8 10M:10485760:20; do
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

# --- Scenario helpers (aoe-fs, aoe-failover) ---

# aoe_since START: seconds elapsed since START, an uptime_s reading.
aoe_since() {
	awk -v s="$1" '{ printf "%.2f", $1 - s }' /proc/uptime
}

# aoe_direct_write_started SRC MIB BYTES: writes MIB MiB of fresh random data (kept in SRC) to
# the device with O_DIRECT in the background, and returns once its first BYTES are on the
# target's image (15 s at most). The writer's pid is in AOE_WRITER_PID, its stderr in SRC.err.
aoe_direct_write_started() {
	local i
	dd if=/dev/urandom of="$1" bs=1M count="$2" status=none
	dd if="$1" of=$AOE_DEV bs=1M oflag=direct status=none 2>"$1.err" &
	AOE_WRITER_PID=$!
	for i in $(seq 1 300); do
		cmp -s -n "$3" "$1" $AOE_IMG && break
		sleep 0.05
	done
}

# The target aoe_setup started: killed like a crash (SIGKILL), restarted with the same arguments.
aoe_vblade_kill() {
	kill -9 "$AOE_VBLADE_PID" 2>/dev/null
	wait "$AOE_VBLADE_PID" 2>/dev/null
}
aoe_vblade_restart() {
	vblade $AOE_SHELF $AOE_SLOT veth1 $AOE_IMG >>/tmp/vblade.log 2>&1 &
	AOE_VBLADE_PID=$!
}

# aoe_state_is eS.N WORD: the device's sysfs state has WORD as one of its comma-separated words
# ("down", "down,closewait", "up,kickme"...).
aoe_state_is() {
	local state
	state=$(cat "/sys/block/etherd!$1/state" 2>/dev/null) || return 1
	[[ ",$state," == *",$2,"* ]]
}

# aoe_wait_up eS.N [SECONDS]: waits (default 20 s) for /dev/etherd/eS.N with state exactly "up".
aoe_wait_up() {
	local i
	for i in $(seq 1 $((${2:-20} * 5))); do
		[ -b "/dev/etherd/$1" ] && [ "$(cat "/sys/block/etherd!$1/state" 2>/dev/null)" = up ] && return 0
		sleep 0.2
	done
	return 1
}

# aoe_dio_verify DEV DEV_OFFSET IMG_OFFSET SRC [BS]: writes file SRC to block device DEV at byte
# DEV_OFFSET with O_DIRECT in BS-byte writes (default 1 MiB; SRC's size a multiple of it), reads
# it back with O_DIRECT and from the target's image at byte IMG_OFFSET. Succeeds when all three
# agree; otherwise prints the three checksums.
aoe_dio_verify() {
	local dev=$1 off=$2 img_off=$3 src=$4 bs=${5:-1048576} size want got img
	size=$(stat -c %s "$src")
	want=$(md5 "$src")
	if ! dd if="$src" of="$dev" bs="$bs" seek="$off" oflag=direct,seek_bytes status=none; then
		echo "dd oflag=direct to $dev at $off failed"
		return 1
	fi
	got=$(dd if="$dev" bs=1M skip="$off" count="$size" iflag=direct,skip_bytes,count_bytes status=none | md5sum | cut -d' ' -f1)
	img=$(dd if=$AOE_IMG bs=1M skip="$img_off" count="$size" iflag=skip_bytes,count_bytes status=none | md5sum | cut -d' ' -f1)
	[ "$got" = "$want" ] && [ "$img" = "$want" ] && return 0
	echo "$dev at $off: src $want, device $got, image $img"
	return 1
}
