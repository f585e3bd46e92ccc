# SPDX-License-Identifier: GPL-2.0
# raoe's own interfaces end to end: the config query reaches vblade, IDENTIFY gives the size,
# the disk reads back as vblade's image, buffered writes land, flushes reach the target, the
# /dev/etherd nodes refuse bad input, revalidation works, debugfs counts, and every page pin
# taken for a write frame is released. (Direct I/O: suite-aoe.sh; hugepages: suite-hugepage-dio.sh.)
# vblade starts first, so its own start-up announcement is gone before the initiator loads:
# only an answer to the initiator's query can be seen.
. /tests/guest/aoe-lib.sh

ip link add veth0 type veth peer name veth1 && ip link set veth0 up && ip link set veth1 up
IMG_MIB=16
dd if=/dev/urandom of=$AOE_IMG bs=1M count=$IMG_MIB status=none
vblade $AOE_SHELF $AOE_SLOT veth1 $AOE_IMG >/tmp/vblade.log 2>&1 &
AOE_VBLADE_PID=$!
sleep 1
check module-load modprobe "$(aoe_module)" aoe_iflist=veth0
found=$(wait_dmesg "$(aoe_module): e$AOE_SHELF.$AOE_SLOT: target")
diag "$found"
if [ -n "$found" ]; then pass target-discovered; else fail target-discovered "no config reply logged"; fi
expect_eq one-target-logged 1 "$(dmesg | grep -c "$(aoe_module): e$AOE_SHELF.$AOE_SLOT: target")"

# The IDENTIFY reply gives the image's size and vblade's identity strings.
identity=$(wait_dmesg "$(aoe_module): e$AOE_SHELF.$AOE_SLOT: .* sectors")
diag "$identity"
case "$identity" in
*": $((IMG_MIB * 2048)) sectors (LBA48), model \"Coraid EtherDrive vblade\", serial \"$AOE_SHELF.$AOE_SLOT:"*", firmware \"V25\""*)
	pass identify ;;
*) fail identify "unexpected or missing IDENTIFY line" ;;
esac
for i in $(seq 1 50); do
	[ -b "$AOE_DEV" ] && break
	sleep 0.2
done
if [ -b "$AOE_DEV" ]; then pass block-device; else fail block-device "no $AOE_DEV"; fi
expect_eq capacity-sectors $((IMG_MIB * 2048)) "$(cat "$AOE_SYS/size" 2>/dev/null)"
expect_eq read-whole-device-md5 "$(md5 $AOE_IMG)" "$(dd if=$AOE_DEV bs=1M iflag=direct status=none | md5sum | cut -d' ' -f1)"

# (Direct I/O of every size, for both drivers: suite-aoe.sh.)
# Buffered writes through the page cache, flushed.
dd if=/dev/urandom of=/tmp/chunk bs=1M count=4 status=none
dd if=/tmp/chunk of=$AOE_DEV bs=1M seek=8 conv=fsync status=none
expect_eq buffered-write-md5 "$(md5 /tmp/chunk)" "$(dd if=$AOE_IMG bs=1M skip=8 count=4 status=none | md5sum | cut -d' ' -f1)"

expect_eq device-equals-image "$(md5 $AOE_IMG)" "$(dd if=$AOE_DEV bs=1M iflag=direct status=none | md5sum | cut -d' ' -f1)"

# Beyond aoe.ko: a volatile write cache, so fsync becomes FLUSH CACHE (vblade knows 0xe7), and
# more than one hardware queue.
expect_eq write-cache-advertised "write back" "$(cat "$AOE_SYS/queue/write_cache")"
flushes_before=$(raoe_stat flushes)
dd if=/tmp/chunk of=$AOE_DEV bs=1M seek=12 conv=fsync status=none
flushes_after=$(raoe_stat flushes)
diag "flushes acknowledged by the target: $flushes_before before fsync, $flushes_after after"
if [ "${flushes_after:-0}" -gt "${flushes_before:-0}" ]; then pass fsync-flushes; else fail fsync-flushes "no flush acknowledged"; fi
expect_eq hardware-queues 2 "$(ls "$AOE_SYS/mq" | wc -l)"

# The control nodes aoetools write to; bad input is refused and changes nothing.
for node in err discover interfaces revalidate flush; do
	[ -c /dev/etherd/$node ] || fail "node-$node" "/dev/etherd/$node is not a character device"
done
pass control-nodes
aoe-discover && pass aoe-discover || fail aoe-discover "write to /dev/etherd/discover failed"
long_name=$(printf 'x%.0s' $(seq 1 30))
for bad in "bad-name:revalidate:e0.x" "unknown-device:revalidate:e9.9" "bad-list:flush:e0.1x" \
	"long-name:interfaces:$long_name"; do
	IFS=: read -r what node input <<<"$bad"
	if printf '%s' "$input" >/dev/etherd/$node 2>/dev/null; then
		fail "refused-$node-$what" "'$input' accepted"
	else
		pass "refused-$node-$what"
	fi
done
expect_eq still-up-after-bad-writes up "$(cat "$AOE_SYS/state")"
aoe-revalidate e$AOE_SHELF.$AOE_SLOT && pass aoe-revalidate || fail aoe-revalidate "write failed"
aoe_wait_up e$AOE_SHELF.$AOE_SLOT 10
expect_eq up-after-revalidate up "$(cat "$AOE_SYS/state")"
grep -q '^total ' /sys/kernel/debug/raoe/drops && pass debugfs-drops || fail debugfs-drops "no total line"
diag "$(cat /sys/kernel/debug/raoe/e$AOE_SHELF.$AOE_SLOT/stats)"
aoe_teardown && pass module-unload || fail module-unload "rmmod $(aoe_module) failed"
[ ! -e "$AOE_DEV" ] && pass device-removed || fail device-removed "$AOE_DEV still there"

check_pins_balance
