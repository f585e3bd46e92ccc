# SPDX-License-Identifier: GPL-2.0
# A lossy, reordering, duplicating, slow link (netem on both veth ends): every byte written and
# read back still verifies, and the initiator retransmitted.
. /tests/guest/aoe-lib.sh

if ! aoe_setup 16; then
	fail discovery "target e$AOE_SHELF.$AOE_SLOT not found"
	return 0
fi
pass discovery
for dev in veth0 veth1; do
	tc qdisc add dev $dev root netem delay 50ms 10ms loss 5% duplicate 2% reorder 10% 50% limit 1000 ||
		fail netem "tc netem on $dev failed"
done
diag "$(tc qdisc show dev veth0)"

# Each lost frame costs a retransmission timeout under a 100 ms round trip: keep it small.
dd if=/dev/urandom of=/tmp/src bs=64k count=4 status=none
if dd if=/tmp/src of=$AOE_DEV bs=64k seek=32 oflag=direct status=none; then
	expect_eq lossy-write-on-image "$(md5 /tmp/src)" "$(dd if=$AOE_IMG bs=64k skip=32 count=4 status=none | md5sum | cut -d' ' -f1)"
	expect_eq lossy-read-back "$(md5 /tmp/src)" "$(dd if=$AOE_DEV bs=64k skip=32 count=4 iflag=direct status=none | md5sum | cut -d' ' -f1)"
else
	fail lossy-write-on-image "dd oflag=direct failed"
fi

# Retransmissions are reported on /dev/etherd/err, where aoetools' users read them (among
# other lines: aoe.ko also reports the duplicates' "unexpected rsp"). The node blocks when empty.
timeout 3 cat /dev/etherd/err >/tmp/err.txt
diag "/dev/etherd/err: $(wc -l </tmp/err.txt) lines, the first: $(head -n 1 /tmp/err.txt)"
if grep -qE "retransmit e$AOE_SHELF\.$AOE_SLOT oldtag=[0-9a-f]{8}.* s=[0-9a-f]{12} d=[0-9a-f]{12}" /tmp/err.txt; then
	pass err-reports-retransmit
else
	fail err-reports-retransmit "no retransmit line on /dev/etherd/err"
fi

# raoe loads again and again on the lossy link: a lost IDENTIFY or IDENTIFY answer is sent
# again, and so is a frame lost while the disk is added (the partition table is read then), so
# the device comes up every time (aoe_initiator_up repeats aoe-discover for a lost config query).
# aoe.ko is not reloaded here: after such reloads it left a reference on veth0 and `ip link del`
# waited forever ("unregister_netdevice: waiting for veth0"), likely because aoenet_exit purges
# its transmit queue without the dev_put each queued frame owes (aoenet.c:218, :66).
if [ "$DRIVER" = rust ]; then
	rmmod "$(aoe_module)" || fail reloads-under-loss "rmmod $(aoe_module) failed"
	retransmits=$(raoe_counter retransmits)
	if [ "${retransmits:-0}" -gt 0 ]; then pass retransmits-seen; else fail retransmits-seen "none"; fi
	check_pins_balance
	loads=0
	for i in $(seq 1 5); do
		aoe_initiator_up || break
		# One frame's worth: a fresh device's first frames wait out a conservative timeout.
		[ "$(dd if=$AOE_DEV bs=4k skip=512 count=1 iflag=direct status=none | md5sum | cut -d' ' -f1)" = \
			"$(head -c 4096 /tmp/src | md5sum | cut -d' ' -f1)" ] || break
		loads=$((loads + 1))
		[ "$i" -eq 5 ] || rmmod "$(aoe_module)" || break
	done
	expect_eq reloads-under-loss 5 "$loads"
fi

for dev in veth0 veth1; do tc qdisc del dev $dev root; done
expect_eq whole-device-after "$(md5 $AOE_IMG)" "$(dd if=$AOE_DEV bs=1M iflag=direct status=none | md5sum | cut -d' ' -f1)"
aoe_teardown && pass module-unload || fail module-unload "rmmod $(aoe_module) failed"
