# SPDX-License-Identifier: GPL-2.0
# Targets that die and come back, in one boot:
#   identity  HDIO_GET_IDENTITY (hdparm -i) and /dev/etherd/err;
#   restart   vblade killed under a direct write, restarted 3 s later: the write completes;
#   multipath a second vblade serves the same image on a second veth pair, added with
#             aoe-interfaces + aoe-discover; one path dies under I/O and the I/O goes on;
#   deadsecs  module reloaded with aoe_deadsecs=5: a read on a dead target fails in time, the
#             device goes down, aoe-revalidate brings it back;
#   flush     aoe-flush e0.1 next to e0.10 (aoe.ko's prefix match is recorded as such).
# Multipath comes before deadsecs: the reload gives deadsecs a fresh single-path device.
. /tests/guest/aoe-lib.sh

IMG_MIB=16
DEADSECS=5
dev_name=e$AOE_SHELF.$AOE_SLOT

t=$(uptime_s)
if ! aoe_setup $IMG_MIB; then
	fail discovery "target $dev_name not found"
	return 0
fi
pass discovery
diag "setup took $(aoe_since "$t") s"
expect_eq payload-mtu-1500 1024 "$(cat "$AOE_SYS/payload")"
# aoe.ko's debugfs view (rtt, window, per-target counts) as a diagnostic between phases.
aoe_debugfs() {
	[ -r /sys/kernel/debug/aoe/$dev_name ] && diag "debugfs $1: $(tr '\n\t' '  ' </sys/kernel/debug/aoe/$dev_name)"
}
t=$(uptime_s)
dd if=/dev/urandom of=/tmp/base.src bs=64k count=16 status=none
why=$(aoe_dio_verify $AOE_DEV $((12 * 1048576)) $((12 * 1048576)) /tmp/base.src) && pass baseline-dio || fail baseline-dio "$why"
diag "baseline: 1 MiB direct write and read took $(aoe_since "$t") s"
aoe_debugfs baseline

# --- identity: vblade's IDENTIFY strings (vblade ata.c) through HDIO_GET_IDENTITY.
if [ -c /dev/etherd/err ]; then pass etherd-err-node; else fail etherd-err-node "no character device /dev/etherd/err"; fi
hdparm -i $AOE_DEV >/tmp/hdparm.out 2>&1
sed 's/^/#   /' /tmp/hdparm.out
ident=$(sed -n 's/^ *Model=\(.*\), FwRev=\(.*\), SerialNo=\(.*\)$/\1|\2|\3/p' /tmp/hdparm.out)
expect_eq identity-model "Coraid EtherDrive vblade" "$(echo "$ident" | cut -d'|' -f1)"
expect_eq identity-serial "$AOE_SHELF.$AOE_SLOT:$(hostname)" "$(echo "$ident" | cut -d'|' -f3)"
expect_eq firmware-version 0x4019 "$(cat "$AOE_SYS/firmware-version")"

# --- restart: SIGKILL the target as soon as the first MiB of an 8 MiB direct write is on its
# image, restart it 3 s later.
t=$(uptime_s)
aoe_direct_write_started /tmp/restart.src 8 1048576
dd_pid=$AOE_WRITER_PID
if kill -0 $dd_pid 2>/dev/null; then
	pass restart-write-in-flight-at-kill
else
	fail restart-write-in-flight-at-kill "dd had already finished"
fi
aoe_vblade_kill
diag "vblade killed at $(aoe_since "$t") s"
sleep 3
aoe_vblade_restart
diag "vblade restarted at $(aoe_since "$t") s"
rc=0
wait $dd_pid || rc=$?
diag "write finished at $(aoe_since "$t") s, exit $rc $(cat /tmp/restart.src.err)"
expect_eq restart-write-completes 0 $rc
want=$(md5 /tmp/restart.src)
expect_eq restart-data-on-device "$want" "$(dd if=$AOE_DEV bs=1M count=8 iflag=direct status=none | md5sum | cut -d' ' -f1)"
expect_eq restart-data-on-image "$want" "$(dd if=$AOE_IMG bs=1M count=8 status=none | md5sum | cut -d' ' -f1)"
aoe_debugfs "after the restart"

# --- multipath: veth2 <-> veth3, a second vblade exporting the same image as the same
# shelf.slot. Its start-up announcement arrives on veth2, outside aoe_iflist, and is ignored
# until aoe-interfaces lets veth2 in.
ip link add veth2 type veth peer name veth3 && ip link set veth2 up && ip link set veth3 up
vblade $AOE_SHELF $AOE_SLOT veth3 $AOE_IMG >/tmp/vblade2.log 2>&1 &
vblade2_pid=$!
sleep 1
expect_eq netif-one-path veth0 "$(cat "$AOE_SYS/netif")"
t=$(uptime_s)
check aoe-interfaces aoe-interfaces veth0 veth2
check aoe-discover aoe-discover
for i in $(seq 1 50); do
	[ "$(cat "$AOE_SYS/netif")" = veth0,veth2 ] && break
	sleep 0.2
done
diag "second path seen after $(aoe_since "$t") s; aoe-stat: $(aoe-stat | awk -v d=$dev_name '$1 == d')"
expect_eq netif-two-paths veth0,veth2 "$(cat "$AOE_SYS/netif")"

# Direct write/verify rounds in the background; the second path's target dies after the first
# round. Every round must still verify, on the device and on the image.
mp_rounds=4
mp_loop() {
	local r off err=0 start
	for r in $(seq 1 $mp_rounds); do
		start=$(uptime_s)
		off=$(((8 + r) * 1048576))
		dd if=/dev/urandom of=/tmp/mp.src bs=64k count=16 status=none
		aoe_dio_verify $AOE_DEV $off $off /tmp/mp.src || err=$((err + 1))
		echo "round $r at $((off / 1048576)) MiB took $(aoe_since "$start") s"
	done
	echo "$err" >/tmp/mp.errors
}
rm -f /tmp/mp.errors
t=$(uptime_s)
mp_loop >/tmp/mp.log 2>&1 &
mp_pid=$!
for i in $(seq 1 150); do
	grep -q '^round 1 ' /tmp/mp.log && break
	sleep 0.2
done
aoe_debugfs "before the path dies"
kill -9 $vblade2_pid
wait $vblade2_pid 2>/dev/null
diag "vblade on veth3 killed at $(aoe_since "$t") s"
wait $mp_pid
diag "multipath rounds done at $(aoe_since "$t") s"
sed 's/^/#   /' /tmp/mp.log
expect_eq multipath-io-survives-path-loss 0 "$(cat /tmp/mp.errors 2>/dev/null)"
aoe_debugfs "after the path died"

# --- deadsecs: a fresh module with a 5 s limit and only veth0.
aoe_vblade_kill
rmmod "$(aoe_module)" || fail reload-for-deadsecs "rmmod $(aoe_module) failed"
ip link del veth2
aoe_vblade_restart
t=$(uptime_s)
modprobe "$(aoe_module)" aoe_deadsecs=$DEADSECS aoe_iflist=veth0
if aoe_wait_up $dev_name 30; then pass reload-for-deadsecs; else fail reload-for-deadsecs "$dev_name not up after 30 s"; fi
diag "reload took $(aoe_since "$t") s"
# The target dies under direct reads of the whole device, repeated on a device held open: aoe.ko
# resets its round-trip estimate to the start value (a 16.5 s retransmission timeout) at each
# IDENTIFY, i.e. after every last close, and checks the limit only when a frame's timer
# expires, so a first read after a reopen would take ~15 s to fail whatever aoe_deadsecs says.
exec 4<$AOE_DEV
(while dd if=$AOE_DEV of=/dev/null bs=64k iflag=direct status=none 2>/tmp/dead.err; do :; done) &
rd_pid=$!
sleep 1
aoe_vblade_kill
t=$(uptime_s)
for i in $(seq 1 $(((DEADSECS + 30) * 5))); do
	kill -0 $rd_pid 2>/dev/null || break
	sleep 0.2
done
dead_secs=$(aoe_since "$t")
kill $rd_pid 2>/dev/null && diag "reads still running $dead_secs s after the kill"
wait $rd_pid 2>/dev/null
diag "state with the device held open: $(cat "$AOE_SYS/state" 2>&1)"
exec 4<&-
diag "read on a dead target failed $dead_secs s after the kill (aoe_deadsecs=$DEADSECS): $(cat /tmp/dead.err)"
if grep -q 'Input/output error' /tmp/dead.err; then
	pass deadsecs-read-fails-eio
else
	fail deadsecs-read-fails-eio "$(cat /tmp/dead.err)"
fi
# Not before the limit, and within 10 s after it (room for a retransmission timeout that grows
# on a guest starved by other guests), far below the default limit of 180 s.
DEAD_MARGIN=10
if awk -v s="$dead_secs" -v d=$DEADSECS -v m=$DEAD_MARGIN 'BEGIN { exit !(s >= d - 1 && s <= d + m) }'; then
	pass deadsecs-timing
else
	fail deadsecs-timing "$dead_secs s, expected $((DEADSECS - 1))..$((DEADSECS + DEAD_MARGIN)) s"
fi
diag "state after the failure: $(cat "$AOE_SYS/state" 2>&1)"
if aoe_state_is $dev_name down; then pass state-down; else fail state-down "state '$(cat "$AOE_SYS/state" 2>&1)'"; fi
t=$(uptime_s)
aoe_vblade_restart
sleep 0.5
check aoe-revalidate aoe-revalidate $dev_name
if aoe_wait_up $dev_name 20; then pass revalidate-up; else fail revalidate-up "state '$(cat "$AOE_SYS/state" 2>&1)' after 20 s"; fi
diag "up again after $(aoe_since "$t") s"
expect_eq read-after-revalidate "$(dd if=$AOE_IMG bs=1M count=4 status=none | md5sum | cut -d' ' -f1)" \
	"$(dd if=$AOE_DEV bs=1M count=4 iflag=direct status=none | md5sum | cut -d' ' -f1)"

# --- flush: a second target e0.10 on veth1, then aoe-flush e0.1. aoe.ko matches the name with
# strncmp over the written length (aoedev.c user_req), so "e0.1" also takes e0.10 away.
dd if=/dev/urandom of=/tmp/aoe10.img bs=1M count=1 status=none
vblade $AOE_SHELF 10 veth1 /tmp/aoe10.img >/tmp/vblade10.log 2>&1 &
vblade10_pid=$!
sleep 0.5
aoe-discover
if aoe_wait_up e$AOE_SHELF.10 20; then pass second-target-up; else fail second-target-up "e$AOE_SHELF.10 not up"; fi
t=$(uptime_s)
check aoe-flush aoe-flush $dev_name
diag "aoe-flush took $(aoe_since "$t") s"
gone() { if [ -e "/sys/block/etherd!$1" ] || [ -e "/dev/etherd/$1" ]; then echo present; else echo gone; fi; }
expect_eq flush-removes-$dev_name gone "$(gone $dev_name)"
other=$(gone e$AOE_SHELF.10)
diag "after aoe-flush $dev_name: e$AOE_SHELF.10 is $other ($(aoe_module))"
if [ "$DRIVER" = c ]; then
	# Records aoe.ko's known bug: the prefix match removes e0.10 as well.
	expect_eq flush-prefix-match-aoe-ko gone "$other"
else
	expect_eq flush-exact-match present "$other"
fi
t=$(uptime_s)
aoe-discover
if aoe_wait_up $dev_name 20 && aoe_wait_up e$AOE_SHELF.10 20; then
	pass rediscovered-after-flush
else
	fail rediscovered-after-flush "$dev_name $(gone $dev_name), e$AOE_SHELF.10 $(gone e$AOE_SHELF.10)"
fi
diag "rediscovery took $(aoe_since "$t") s"
expect_eq second-target-data "$(md5 /tmp/aoe10.img)" "$(dd if=/dev/etherd/e$AOE_SHELF.10 bs=1M iflag=direct status=none | md5sum | cut -d' ' -f1)"
kill $vblade10_pid
wait $vblade10_pid 2>/dev/null

aoe_teardown && pass module-unload || fail module-unload "rmmod $(aoe_module) failed"
