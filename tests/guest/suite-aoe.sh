# SPDX-License-Identifier: GPL-2.0
# The reference AoE suite: discovery, aoe-stat, checksummed reads and writes, direct-I/O loops.
. /tests/guest/aoe-lib.sh

IMG_MIB=64
if ! aoe_setup $IMG_MIB; then
	fail discovery "target e$AOE_SHELF.$AOE_SLOT not found"
	return 0
fi
pass discovery

# aoe-stat: the device, its size in GB as aoe-stat prints it, its interface and state.
stat_line=$(aoe-stat | awk -v d="e$AOE_SHELF.$AOE_SLOT" '$1 == d')
diag "aoe-stat: $stat_line"
expect_eq aoe-stat-line "e$AOE_SHELF.$AOE_SLOT 0.067GB veth0 up" "$(echo "$stat_line" | awk '{print $1, $2, $3, $5}')"
expect_eq capacity-sectors $((IMG_MIB * 2048)) "$(cat "$AOE_SYS/size")"

# The whole device reads back as the image vblade serves.
expect_eq read-whole-device-md5 "$(md5 $AOE_IMG)" "$(dd if=$AOE_DEV bs=1M iflag=direct status=none | md5sum | cut -d' ' -f1)"

# Buffered write through the page cache, flushed, then compared on the target side.
dd if=/dev/urandom of=/tmp/chunk bs=1M count=4 status=none
dd if=/tmp/chunk of=$AOE_DEV bs=1M seek=8 conv=fsync status=none
expect_eq buffered-write-md5 "$(md5 /tmp/chunk)" "$(dd if=$AOE_IMG bs=1M skip=8 count=4 status=none | md5sum | cut -d' ' -f1)"

# Direct-I/O loops: each block size writes fresh data at its own offset, reads it back through
# the device and checks the target's image too. 4 KiB I/O is slow under TCG, so smaller totals.
offset_mib=16
for spec in 4k:4096:1 64k:65536:4 1M:1048576:8 4M:4194304:8 10M:10485760:20; do
	IFS=: read -r name bs total_mib <<<"$spec"
	count=$((total_mib * 1048576 / bs))
	dd if=/dev/urandom of=/tmp/src bs="$bs" count="$count" status=none
	at=$((offset_mib * 1048576))
	if dd if=/tmp/src of=$AOE_DEV bs="$bs" count="$count" seek="$at" oflag=direct,seek_bytes status=none; then
		got=$(dd if=$AOE_DEV bs="$bs" count="$count" skip="$at" iflag=direct,skip_bytes status=none | md5sum | cut -d' ' -f1)
		img=$(dd if=$AOE_IMG bs="$bs" count="$count" skip="$at" iflag=skip_bytes status=none | md5sum | cut -d' ' -f1)
		want=$(md5 /tmp/src)
		if [ "$got" = "$want" ] && [ "$img" = "$want" ]; then
			pass "direct-io-bs-$name"
		else
			fail "direct-io-bs-$name" "src $want, device $got, image $img"
		fi
	else
		fail "direct-io-bs-$name" "dd oflag=direct failed"
	fi
	offset_mib=$((offset_mib + total_mib))
done

# Nothing left half-done: the whole device equals the image after all of the above.
expect_eq final-device-equals-image "$(md5 $AOE_IMG)" "$(dd if=$AOE_DEV bs=1M iflag=direct status=none | md5sum | cut -d' ' -f1)"

aoe_teardown && pass module-unload || fail module-unload "rmmod $(aoe_module) failed"
