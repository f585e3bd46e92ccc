# SPDX-License-Identifier: GPL-2.0
# `make run`: a short, readable tour. An AoE target is discovered, data moves with direct I/O,
# and swap runs on the compressed RAM disk.
. /tests/guest/aoe-lib.sh
. /tests/guest/zram-lib.sh

say() {
	printf '\n*** %s\n' "$*"
}

say "Exporting a 32 MiB image with vblade on veth1; initiator $(aoe_module) on veth0"
if aoe_setup 32; then
	pass discovery
	aoe-stat
	say "Direct-I/O read of the whole device (dd iflag=direct bs=1M), checked against the image"
	dd if=$AOE_DEV of=/tmp/readback bs=1M iflag=direct 2>&1 | tail -n1
	expect_eq direct-read-matches "$(md5 $AOE_IMG)" "$(md5 /tmp/readback)"
	say "Direct-I/O write of 8 MiB (dd oflag=direct bs=1M), checked on the target's image"
	dd if=/dev/urandom of=/tmp/chunk bs=1M count=8 status=none
	dd if=/tmp/chunk of=$AOE_DEV bs=1M seek=4 oflag=direct 2>&1 | tail -n1
	expect_eq direct-write-matches "$(md5 /tmp/chunk)" "$(dd if=$AOE_IMG bs=1M skip=4 count=8 status=none | md5sum | cut -d' ' -f1)"
	aoe_teardown
else
	fail discovery "no AoE target"
fi

say "Swap on $ZDEV ($ZMOD, lz4, 768 MiB)"
modprobe $ZMOD
echo lz4 >$ZSYS/comp_algorithm
echo 768M >$ZSYS/disksize
mkswap $ZDEV >/dev/null && swapon $ZDEV
cat /proc/swaps
expect_eq stable-writes 1 "$(cat $ZSYS/queue/stable_writes)"
say "Dirtying 640 MiB in a 512 MiB guest, every page verified after swap-in"
swap-pressure --mib 640 --procs 2 --passes 2 >/tmp/pressure.out 2>&1 &
pressure=$!
sleep 15
say "Swap in use while the pressure runs"
cat /proc/swaps
wait $pressure && pass swap-pressure || fail swap-pressure "$(tail -n 3 /tmp/pressure.out)"
cat /tmp/pressure.out
say "Compression (mm_stat: orig compr used limit max same compacted huge huge_since)"
cat $ZSYS/mm_stat
swapoff $ZDEV
echo 1 >$ZSYS/reset
rmmod $ZMOD
