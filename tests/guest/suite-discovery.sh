# SPDX-License-Identifier: GPL-2.0
# Discovery: the initiator's config query reaches vblade and the reply names the target.
# vblade starts first, so its own start-up announcement is gone before the initiator loads:
# only an answer to the initiator's query can be seen.
. /tests/guest/aoe-lib.sh

ip link add veth0 type veth peer name veth1 && ip link set veth0 up && ip link set veth1 up
dd if=/dev/zero of=$AOE_IMG bs=1M count=8 status=none
vblade $AOE_SHELF $AOE_SLOT veth1 $AOE_IMG >/tmp/vblade.log 2>&1 &
AOE_VBLADE_PID=$!
sleep 1
check module-load modprobe raoe aoe_iflist=veth0
found=
for i in $(seq 1 50); do
	found=$(dmesg | grep "raoe: e$AOE_SHELF.$AOE_SLOT: target")
	[ -n "$found" ] && break
	sleep 0.2
done
diag "$found"
if [ -n "$found" ]; then pass target-discovered; else fail target-discovered "no config reply logged"; fi
expect_eq one-target-logged 1 "$(dmesg | grep -c "raoe: e$AOE_SHELF.$AOE_SLOT: target")"

# The IDENTIFY reply gives the image's size and vblade's identity strings.
identity=
for i in $(seq 1 50); do
	identity=$(dmesg | grep "raoe: e$AOE_SHELF.$AOE_SLOT: .* sectors")
	[ -n "$identity" ] && break
	sleep 0.2
done
diag "$identity"
case "$identity" in
*": 16384 sectors (LBA48), model \"Coraid EtherDrive vblade\", serial \"$AOE_SHELF.$AOE_SLOT:"*", firmware \"V25\""*)
	pass identify ;;
*) fail identify "unexpected or missing IDENTIFY line" ;;
esac
aoe_teardown && pass module-unload || fail module-unload "rmmod raoe failed"
expect_eq nothing-dropped 1 "$(dmesg | grep -c 'raoe: unloaded; 0 malformed')"
