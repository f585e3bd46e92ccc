# SPDX-License-Identifier: GPL-2.0
# rmmod under load and at every state. Each attempt is either refused, because the module is in
# use, with the module still loaded, or succeeds and leaves no sysfs, debugfs or /dev name
# behind; the kernel log has no splat (run-tests.sh judges it) and the module loads again.
#   discovery  config queries broadcast without pause while vblade answers them 400 ms late (so
#              finding the target takes seconds); the initiator is loaded and unloaded ten
#              times, rmmod tried at a different point of finding the target each time; then
#              veth0 can be deleted (no reference left on it), here and at the end;
#   io         rmmod during a direct write and a direct read: refused, both complete and verify;
#   vanished   the target killed under a direct write: refused while the write waits, allowed
#              right after it failed (aoe_deadsecs=5); killed with the disk idle: allowed;
#   swap       swap on the compressed RAM disk: refused while memory pressure swaps, refused
#              while swapoff reads pages back, allowed after swapoff and reset;
#   zram-dio   refused during a direct write to a hot-added device, allowed once it is done.
. /tests/guest/aoe-lib.sh
. /tests/guest/zram-lib.sh

IMG_MIB=16
DEADSECS=5
AOEMOD=$(aoe_module)

# rmmod_outcome MODULE: one rmmod; prints "unloaded" (it succeeded and the module is gone),
# "refused" (the module is in use and still loaded), or what went wrong. kmod says "in use" when
# the reference count it reads is not zero, else the kernel may still refuse (EWOULDBLOCK).
rmmod_outcome() {
	if rmmod "$1" 2>/tmp/rmmod.err; then
		if [ -d "/sys/module/$1" ]; then echo "rmmod succeeded, /sys/module/$1 remains"; else echo unloaded; fi
	elif [ ! -d "/sys/module/$1" ]; then
		echo "rmmod failed ($(cat /tmp/rmmod.err)), yet $1 is gone"
	elif grep -qE 'is in use|Resource temporarily unavailable' /tmp/rmmod.err; then
		echo refused
	else
		echo "rmmod failed: $(cat /tmp/rmmod.err)"
	fi
}

# module_leftovers MODULE: what remains of MODULE's names once it is unloaded (nothing, if it
# unloaded cleanly).
module_leftovers() {
	if [ "$1" = "$ZMOD" ]; then
		ls -d /sys/module/$1 /sys/class/$ZMOD-control /sys/block/$ZMOD* /dev/$ZMOD* \
			/sys/kernel/debug/$ZMOD 2>/dev/null
	else
		ls -d /sys/module/$1 /sys/class/aoe /dev/etherd /sys/block/etherd!* \
			/sys/kernel/debug/aoe /sys/kernel/debug/raoe 2>/dev/null
	fi | xargs
}

# refused_while NAME MODULE PID WHAT TRIES INTERVAL: rmmod every INTERVAL s while PID (the load,
# WHAT) runs, TRIES times at most. Two test points: NAME, every attempt refused, but for one that
# PID's end overtook (PID gone within 2 s of an rmmod that succeeded: it had closed the device
# as rmmod ran; RACE_UNLOADED records it); NAME-in-flight, one refusal at least after which PID
# still ran.
RACE_UNLOADED=
refused_while() {
	local name=$1 module=$2 pid=$3 what=$4 tries=$5 interval=$6 i outcome refused=0 bad=
	for i in $(seq 1 "$tries"); do
		kill -0 "$pid" 2>/dev/null || break
		outcome=$(rmmod_outcome "$module")
		if [ "$outcome" = refused ]; then
			kill -0 "$pid" 2>/dev/null && refused=$((refused + 1))
			sleep "$interval"
			continue
		fi
		if [ "$outcome" = unloaded ]; then
			for _ in $(seq 1 10); do kill -0 "$pid" 2>/dev/null && sleep 0.2; done
			if ! kill -0 "$pid" 2>/dev/null; then
				diag "attempt $i: unloaded as $what ended"
				RACE_UNLOADED=$module
				break
			fi
			outcome="unloaded while $what was still running"
		fi
		bad="attempt $i: $outcome"
		break
	done
	diag "rmmod during $what: $refused refused ($(cat /tmp/rmmod.err))"
	if [ -z "$bad" ]; then pass "$name"; else fail "$name" "$bad"; fi
	if [ "$refused" -gt 0 ]; then
		pass "$name-in-flight"
	else
		fail "$name-in-flight" "$what had ended before an attempt was refused"
	fi
}

# expect_unloaded NAME MODULE: one test point: rmmod succeeds (or refused_while's last attempt
# already did) and leaves nothing behind.
expect_unloaded() {
	local outcome=unloaded left
	if [ "$RACE_UNLOADED" = "$2" ] && [ ! -d "/sys/module/$2" ]; then
		diag "$2 was unloaded as the load ended"
	else
		outcome=$(rmmod_outcome "$2")
	fi
	RACE_UNLOADED=
	left=$(module_leftovers "$2")
	if [ "$outcome" != unloaded ]; then
		fail "$1" "$outcome"
	elif [ -n "$left" ]; then
		fail "$1" "unloaded, but left $left"
	else
		pass "$1"
	fi
}

# check_no_stale_names NAME: one test point: no load met a name an earlier instance left in sysfs
# (kobjects) or debugfs.
check_no_stale_names() {
	local lines
	lines=$(dmesg | grep -E 'duplicate filename|cannot create|already present|kobject_add_internal failed')
	if [ -z "$lines" ]; then pass "$1"; else fail "$1" "$(echo "$lines" | head -n 3)"; fi
}

# quick_modprobe MODULE ARGS...: modprobe without lib.sh's kmemleak wrapper, which reads all of
# /proc/kallsyms after the load (seconds here), so that rmmod can race what the load started.
# kmemleak.sh names the module of an address in an unloaded instance by the symbol below it: the
# text section's base will do.
quick_modprobe() {
	command modprobe "$@" || return 1
	if grep -qw kmemleak=on /proc/cmdline && [ -r "/sys/module/$1/sections/.text" ]; then
		echo "$(sed 's/^0x//' "/sys/module/$1/sections/.text") $1" >>$KMEMLEAK_SYMBOLS
	fi
}

# veth_released NAME: one test point: with the initiator unloaded and vblade stopped, veth0 (and
# its peer) can be deleted: the initiator dropped every reference it held on it. A leaked one
# makes the deletion wait forever ("unregister_netdevice: waiting for veth0"): that `ip` is left
# behind, and the names are free for a new pair. aoe.ko leaks one when it is unloaded with
# frames on its transmit queue, as the storm of config queries leaves it (each holds its
# interface, aoecmd.c:424; sending puts it, aoenet.c:66; aoenet_exit purges the queue without,
# aoenet.c:218): recorded for it, not failed.
veth_released() {
	local pid i
	aoe_vblade_stop
	ip link del veth0 &
	pid=$!
	for i in $(seq 1 50); do
		kill -0 $pid 2>/dev/null || break
		sleep 0.2
	done
	if ! kill -0 $pid 2>/dev/null; then
		pass "$1"
	elif [ "$DRIVER" = c ]; then
		skip "$1" "aoe.ko left a reference on veth0 (known bug): its deletion waits"
	else
		fail "$1" "veth0 still referenced 10 s after $AOEMOD was unloaded"
	fi
}

md5_of() {
	"$@" | md5sum | cut -d' ' -f1
}

# =====================================================================================
# discovery: a storm of config queries (each write to /dev/etherd/discover broadcasts one and
# holds the module meanwhile) while vblade answers every one 400 ms late; each round loads the
# initiator and tries rmmod after a different delay: before the target answered, while it is
# identified, while its disk is added (the partition table is read through the device, which
# holds the module), once it is up.
t=$(uptime_s)
if ! aoe_target_up $IMG_MIB; then
	fail discovery-target "no veth pair or vblade"
	return 0
fi
tc qdisc add dev veth1 root netem delay 400ms || fail discovery-netem "tc netem on veth1 failed"
rm -f /tmp/storm.stop
# dd conv=nocreat, not aoe-discover's `echo >`: between an unload and the next load the node is
# missing, and a shell redirection would create a regular file in its place.
discovery_storm() {
	local sent=0
	while [ ! -e /tmp/storm.stop ]; do
		if dd if=/dev/zero of=/dev/etherd/discover bs=1 count=1 conv=nocreat status=none 2>/dev/null; then
			sent=$((sent + 1))
		else
			sleep 0.1
		fi
	done
	echo $sent >/tmp/storm.sent
}
discovery_storm &
storm_pid=$!
round=0
for delay in 0 0.2 0.4 0.6 0.8 1 1.3 1.6 2 3; do
	round=$((round + 1))
	if ! quick_modprobe "$AOEMOD" aoe_iflist=veth0 2>/tmp/modprobe.err; then
		fail discovery-round-$round "modprobe: $(cat /tmp/modprobe.err)"
		continue
	fi
	sleep $delay
	state=$(cat "$AOE_SYS/state" 2>/dev/null || echo "no disk")
	refused=0
	for try in $(seq 1 50); do
		outcome=$(rmmod_outcome "$AOEMOD")
		[ "$outcome" = refused ] || break
		refused=$((refused + 1))
		sleep 0.1
	done
	diag "round $round: rmmod $delay s after the load (e$AOE_SHELF.$AOE_SLOT: $state): $refused refused, then $outcome"
	left=$(module_leftovers "$AOEMOD")
	if [ "$outcome" != unloaded ]; then
		fail discovery-round-$round "$outcome"
		rmmod "$AOEMOD" 2>/dev/null
	elif [ -n "$left" ]; then
		fail discovery-round-$round "unloaded, but left $left"
	else
		pass discovery-round-$round
	fi
done
touch /tmp/storm.stop
wait $storm_pid
tc qdisc del dev veth1 root
sent=$(cat /tmp/storm.sent)
diag "discovery: $round rounds in $(aoe_since "$t") s, $sent config queries triggered"
if [ "${sent:-0}" -gt 0 ]; then pass discovery-storm-ran; else fail discovery-storm-ran "no write to /dev/etherd/discover succeeded"; fi
veth_released discovery-veth-released

# After the storm: on a new pair and image, the initiator loads, finds the target, moves data.
if aoe_target_up $IMG_MIB && aoe_initiator_up; then pass discovery-reload; else fail discovery-reload "no $AOE_DEV"; fi
check_no_stale_names discovery-no-stale-names
dd if=/dev/urandom of=/tmp/base.src bs=64k count=16 status=none
why=$(aoe_dio_verify $AOE_DEV $((12 << 20)) $((12 << 20)) /tmp/base.src) && pass discovery-reload-dio ||
	fail discovery-reload-dio "$why"

# =====================================================================================
# io: a 6 MiB direct write at the start of the disk and a 2 MiB direct read at 8 MiB; rmmod is
# tried as soon as the write's first 256 KiB are on the target's image.
dd if=/dev/urandom of=/tmp/io.src bs=1M count=6 status=none
t=$(uptime_s)
dd if=/tmp/io.src of=$AOE_DEV bs=1M oflag=direct status=none 2>/tmp/io.err &
io_pid=$!
(dd if=$AOE_DEV bs=1M skip=8 count=2 iflag=direct status=none 2>/tmp/io-read.err |
	md5sum | cut -d' ' -f1 >/tmp/io-read.md5) &
read_pid=$!
for i in $(seq 1 300); do
	cmp -s -n 262144 /tmp/io.src $AOE_IMG && break
	sleep 0.05
done
diag "first 256 KiB written after $(aoe_since "$t") s"
refused_while io-rmmod-refused "$AOEMOD" $io_pid "the direct write" 4 0.3
rc=0
wait $io_pid || rc=$?
wait $read_pid
diag "write and read done after $(aoe_since "$t") s: exit $rc $(cat /tmp/io.err /tmp/io-read.err)"
expect_eq io-write-completes 0 $rc
# The data is on the target: a fresh load reads it back if the last attempt unloaded the module.
[ "$RACE_UNLOADED" = "$AOEMOD" ] && aoe_initiator_up
want=$(md5 /tmp/io.src)
expect_eq io-write-verified "$want $want" \
	"$(md5_of dd if=$AOE_DEV bs=1M count=6 iflag=direct status=none) $(md5_of dd if=$AOE_IMG bs=1M count=6 status=none)"
expect_eq io-read-verified "$(md5_of dd if=$AOE_IMG bs=1M skip=8 count=2 status=none)" "$(cat /tmp/io-read.md5)"
expect_unloaded io-rmmod-when-idle "$AOEMOD"
[ "$DRIVER" = rust ] && check_pins_balance io-pins-balance

# =====================================================================================
# vanished: reloaded with aoe_deadsecs=5, the target SIGKILLed under a 4 MiB direct write once
# its first 256 KiB are on the image. rmmod is refused while the write waits; the write fails
# once the device is declared dead, and rmmod right after succeeds.
if aoe_initiator_up aoe_deadsecs=$DEADSECS; then pass vanished-reload; else fail vanished-reload "no $AOE_DEV"; fi
check_no_stale_names vanished-reload-no-stale-names
aoe_direct_write_started /tmp/dead.src 4 262144
dead_pid=$AOE_WRITER_PID
aoe_vblade_kill
t=$(uptime_s)
refused_while vanished-rmmod-refused "$AOEMOD" $dead_pid "the direct write to the dead target" 3 0.5
# Up to 60 s: aoe.ko checks the limit only when a frame's retransmission timer expires.
for i in $(seq 1 300); do
	kill -0 $dead_pid 2>/dev/null || break
	sleep 0.2
done
rc=
if kill -0 $dead_pid 2>/dev/null; then
	kill $dead_pid
	rc=timeout
fi
wait $dead_pid
status=$?
rc=${rc:-$status}
diag "write on the dead target ended $(aoe_since "$t") s after the kill (aoe_deadsecs=$DEADSECS): exit $rc, $(cat /tmp/dead.src.err); state $(cat "$AOE_SYS/state" 2>&1)"
if [ "$rc" != 0 ] && [ "$rc" != timeout ]; then
	pass vanished-write-fails
else
	fail vanished-write-fails "exit $rc"
fi
expect_unloaded vanished-rmmod-after-io-failed "$AOEMOD"
[ "$DRIVER" = rust ] && check_pins_balance vanished-pins-balance

# The target killed with the disk idle (after a verified write), rmmod at once.
aoe_vblade_restart
if aoe_initiator_up; then pass vanished-idle-reload; else fail vanished-idle-reload "no $AOE_DEV"; fi
check_no_stale_names vanished-idle-reload-no-stale-names
why=$(aoe_dio_verify $AOE_DEV $((14 << 20)) $((14 << 20)) /tmp/base.src) && pass vanished-idle-dio ||
	fail vanished-idle-dio "$why"
aoe_vblade_kill
expect_unloaded vanished-idle-rmmod "$AOEMOD"
[ "$DRIVER" = rust ] && check_pins_balance vanished-idle-pins-balance

# Once more with the target back: the disk reads what the target holds where the write that
# failed was cut off.
aoe_vblade_restart
if aoe_initiator_up; then pass aoe-final-reload; else fail aoe-final-reload "no $AOE_DEV"; fi
check_no_stale_names aoe-final-no-stale-names
expect_eq aoe-final-read-after-failed-write "$(md5_of dd if=$AOE_IMG bs=1M count=1 status=none)" \
	"$(md5_of dd if=$AOE_DEV bs=1M count=1 iflag=direct status=none)"
expect_unloaded aoe-module-unload "$AOEMOD"
veth_released aoe-veth-released
rm -f $AOE_IMG /tmp/*.src

# =====================================================================================
# swap: a 32 MiB tmpfs file is written first, in whole pages and never read (a page used once
# stays on the inactive list, first in line for reclaim). Huge pages then take all free memory
# but 16 MiB (a known amount: MemAvailable is no exact measure here), and swap-pressure dirties
# 32 MiB more than is free: reclaim swaps the file out, and it stays swapped out after the
# pressure ends, for swapoff to read back. rmmod is tried every second under the pressure, and
# three times as swapoff starts (later tries could meet it closing the device).
check zram-load modprobe $ZMOD num_devices=1 || return 0
echo 256M >$ZSYS/disksize
check zram-swapon sh -c "mkswap $ZDEV >/dev/null && swapon $ZDEV"
mkdir -p /mnt/hold
mount -t tmpfs -o size=48M tmpfs /mnt/hold
hold() {
	yes 'rmmod while swapoff reads this back' | dd bs=1M count=32 iflag=fullblock status=none
}
hold >/mnt/hold/data
hold_md5=$(md5_of hold)
meminfo() {
	awk '/^(MemFree|Shmem|AnonPages|HugePages_Total):/ {printf "%s %d%s ", $1, ($1 ~ /Huge/ ? $2 : $2 / 1024), ($1 ~ /Huge/ ? "" : " MiB")}' /proc/meminfo
}
diag "before: $(meminfo)"
free_mib=$(($(awk '/MemFree/ {print $2}' /proc/meminfo) / 1024))
echo $(((free_mib - 16) / 2)) >/proc/sys/vm/nr_hugepages
free_mib=$(($(awk '/MemFree/ {print $2}' /proc/meminfo) / 1024))
pressure_mib=$((free_mib + 32))
diag "huge pages taken: $(meminfo)"
t=$(uptime_s)
# A rewriter per process keeps rewriting pages for 6 s, so the kernel keeps swapping for as long
# at least, however fast the driver.
swap-pressure --mib $pressure_mib --procs 2 --passes 1 --rewriters 1 --rewrite-secs 6 --seed 7 \
	>/tmp/pressure.log 2>&1 &
pressure_pid=$!
sleep 1
refused_while swap-rmmod-refused-under-pressure $ZMOD $pressure_pid "the memory pressure" 60 1
rc=0
wait $pressure_pid || rc=$?
sed 's/^/#   /' /tmp/pressure.log
expect_eq swap-pressure-verified 0 $rc
echo 0 >/proc/sys/vm/nr_hugepages
swapped_kib=$(awk '/SwapTotal/ {total = $2} /SwapFree/ {free = $2} END {print total - free}' /proc/meminfo)
diag "pressure of $pressure_mib MiB took $(aoe_since "$t") s; after it: ${swapped_kib} KiB swapped, $(meminfo); mm_stat $(cat $ZSYS/mm_stat)"
# swapoff must have pages to read back, or the next refusal would prove nothing.
if [ "$swapped_kib" -ge 16384 ]; then pass swap-pages-left-for-swapoff; else fail swap-pages-left-for-swapoff "${swapped_kib} KiB"; fi

t=$(uptime_s)
swapoff $ZDEV 2>/tmp/swapoff.err &
swapoff_pid=$!
refused_while swapoff-rmmod-refused $ZMOD $swapoff_pid swapoff 3 0.2
rc=0
wait $swapoff_pid || rc=$?
diag "swapoff of ${swapped_kib} KiB took $(aoe_since "$t") s: exit $rc $(cat /tmp/swapoff.err)"
expect_eq swapoff-completes 0 $rc
expect_eq swapoff-data-intact "$hold_md5" "$(md5 /mnt/hold/data)"
umount /mnt/hold
if [ -d $ZSYS ]; then
	check swapoff-reset sh -c "echo 1 >$ZSYS/reset"
else
	skip swapoff-reset "$ZMOD was unloaded as swapoff ended"
fi
expect_unloaded swap-rmmod-after-swapoff $ZMOD

# =====================================================================================
# zram-dio: a 64 MiB direct write in 4 KiB blocks to a hot-added device (the mixed dataset
# eight times, through one dd that holds the device throughout); rmmod tried four times as it
# starts.
if quick_modprobe $ZMOD num_devices=1 && [ -b $ZDEV ]; then pass zram-reload; else fail zram-reload "no $ZDEV"; fi
check_no_stale_names zram-reload-no-stale-names
id=$(cat $ZCTL/hot_add)
dev=/dev/$ZMOD$id
echo 96M >/sys/block/$ZMOD$id/disksize
make_mixed_dataset /tmp/mixed
eight_mixed() {
	for i in 1 2 3 4 5 6 7 8; do cat /tmp/mixed; done
}
want=$(md5_of eight_mixed)
t=$(uptime_s)
(eight_mixed | dd of=$dev bs=4k iflag=fullblock oflag=direct status=none 2>/tmp/zdio.err) &
zdio_pid=$!
refused_while zram-dio-rmmod-refused $ZMOD $zdio_pid "the direct write" 4 0.2
rc=0
wait $zdio_pid || rc=$?
diag "64 MiB in 4 KiB direct writes took $(aoe_since "$t") s: exit $rc $(cat /tmp/zdio.err)"
expect_eq zram-dio-completes 0 $rc
if [ -b $dev ]; then
	expect_eq zram-dio-verified "$want" "$(md5_of dd if=$dev bs=1M count=64 iflag=direct status=none)"
else
	skip zram-dio-verified "$ZMOD was unloaded as the write ended, its data with it"
fi
rm -f /tmp/mixed
# Both devices left as they are: the hot-added one holding data, device 0 never initialised.
expect_unloaded zram-dio-rmmod-when-idle $ZMOD
if modprobe $ZMOD num_devices=1 && [ -b $ZDEV ]; then pass zram-final-reload; else fail zram-final-reload "no $ZDEV"; fi
check_no_stale_names zram-final-no-stale-names
expect_unloaded zram-final-unload $ZMOD
