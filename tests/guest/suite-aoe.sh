# SPDX-License-Identifier: GPL-2.0
# The reference AoE suite: discovery, aoe-stat, checksummed reads and writes, direct-I/O loops.
. /tests/guest/aoe-lib.sh

IMG_MIB=48
if ! aoe_setup $IMG_MIB; then
	fail discovery "target e$AOE_SHELF.$AOE_SLOT not found"
	return 0
fi
pass discovery

# aoe-stat: the device, its size in GB as aoe-stat prints it, its interface and state.
stat_line=$(aoe-stat | awk -v d="e$AOE_SHELF.$AOE_SLOT" '$1 == d')
diag "aoe-stat: $stat_line"
expect_eq aoe-stat-line "e$AOE_SHELF.$AOE_SLOT 0.050GB veth0 up" "$(echo "$stat_line" | awk '{print $1, $2, $3, $5}')"
expect_eq capacity-sectors $((IMG_MIB * 2048)) "$(cat "$AOE_SYS/size")"

# The whole device reads back as the image vblade serves.
expect_eq read-whole-device-md5 "$(md5 $AOE_IMG)" "$(dd if=$AOE_DEV bs=1M iflag=direct status=none | md5sum | cut -d' ' -f1)"

# Buffered write through the page cache, flushed, then compared on the target side.
dd if=/dev/urandom of=/tmp/chunk bs=1M count=4 status=none
dd if=/tmp/chunk of=$AOE_DEV bs=1M seek=8 conv=fsync status=none
expect_eq buffered-write-md5 "$(md5 /tmp/chunk)" "$(dd if=$AOE_IMG bs=1M skip=8 count=4 status=none | md5sum | cut -d' ' -f1)"

# Direct-I/O loops, 4 KiB to 10 MiB.
direct_io_loops direct-io-bs 12

# Nothing left half-done: the whole device equals the image after all of the above.
expect_eq final-device-equals-image "$(md5 $AOE_IMG)" "$(dd if=$AOE_DEV bs=1M iflag=direct status=none | md5sum | cut -d' ' -f1)"

aoe_teardown && pass module-unload || fail module-unload "rmmod $(aoe_module) failed"
