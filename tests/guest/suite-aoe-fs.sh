# SPDX-License-Identifier: GPL-2.0
# ext4 with 1 KiB blocks on an AoE partition, over jumbo frames: file-system metadata puts
# slab-backed buffers into bios, the MBR partitions prove the offsets, MTU 9000 gives 8704-byte
# frames (17 sectors, not a page multiple). Ends with rmmod refused while the disk is open.
# Jumbo frames live here rather than in a suite of their own: one guest boot less keeps
# `make test` under 20 minutes, and the file system is the harder load for odd-sized frames.
. /tests/guest/aoe-lib.sh

IMG_MIB=32
MTU=9000
P1_START=2048     # sectors: p1 is 8 MiB at 1 MiB
P1_SIZE=16384
P2_START=18432    # p2 is the rest of the disk, 23 MiB
P2_SIZE=$((IMG_MIB * 2048 - P2_START))
MNT=/mnt/fs

t=$(aoe_now)
if ! aoe_setup $IMG_MIB mtu=$MTU; then
	fail discovery "target e$AOE_SHELF.$AOE_SLOT not found"
	return 0
fi
pass discovery
diag "setup with MTU $MTU took $(aoe_since "$t") s"

# vblade and the driver both size frames as (MTU - 36) / 512 sectors: 17, 8704 bytes.
expect_eq jumbo-payload 8704 "$(cat "$AOE_SYS/payload")"

# --- MBR partitions, written through the device, re-read by the block layer.
t=$(aoe_now)
printf 'label: dos\nstart=%d, size=%d, type=83\nstart=%d, size=%d, type=83\n' \
	$P1_START $P1_SIZE $P2_START $P2_SIZE >/tmp/parts
check partition-table sfdisk -q $AOE_DEV </tmp/parts
check partition-rescan blockdev --rereadpt $AOE_DEV
for i in $(seq 1 50); do
	[ -b ${AOE_DEV}p1 ] && [ -b ${AOE_DEV}p2 ] && break
	sleep 0.2
done
expect_eq partition-nodes "${AOE_DEV}p1 ${AOE_DEV}p2" "$(ls ${AOE_DEV}p* 2>/dev/null | xargs)"
part_geo() {
	echo "$(cat "$AOE_SYS/etherd!e$AOE_SHELF.${AOE_SLOT}p$1/start" "$AOE_SYS/etherd!e$AOE_SHELF.${AOE_SLOT}p$1/size" 2>/dev/null | xargs)"
}
expect_eq partition-geometry "$P1_START $P1_SIZE $P2_START $P2_SIZE" "$(part_geo 1) $(part_geo 2)"
expect_eq mbr-signature-on-image 55aa "$(dd if=$AOE_IMG bs=1 skip=510 count=2 status=none | xxd -p)"
diag "partitioning took $(aoe_since "$t") s"

# --- p1: direct-I/O rounds in the background while ext4 works on p2, one per write size: a
# page, exactly one 8704-byte frame, one frame and a sector, 64 KiB, 1 MiB, 2 MiB. Each round
# writes at its own MiB of p1 and checks it through p1 and on the image at P1_START + offset.
p1_rounds="4096:64 8704:64 9216:64 65536:16 1048576:2 2097152:1"
p1_loop() {
	local spec bs n off=0 why
	for spec in $p1_rounds; do
		IFS=: read -r bs n <<<"$spec"
		dd if=/dev/urandom of=/tmp/p1.src bs="$bs" count="$n" status=none
		if why=$(aoe_dio_verify ${AOE_DEV}p1 $off $((P1_START * 512 + off)) /tmp/p1.src "$bs"); then
			echo "$bs ok"
		else
			echo "$bs $why"
		fi
		off=$((off + (bs * n + 1048575) / 1048576 * 1048576))
	done
}
t_p1=$(aoe_now)
p1_loop >/tmp/p1.log 2>&1 &
p1_pid=$!

# --- ext4 on p2 with 1 KiB blocks; inode tables and journal written now, not lazily later.
t=$(aoe_now)
check mkfs-ext4-1k mkfs.ext4 -q -F -b 1024 -E lazy_itable_init=0,lazy_journal_init=0 ${AOE_DEV}p2
diag "mkfs took $(aoe_since "$t") s"
# The superblock magic 0xEF53 sits 1080 bytes into p2: found on the image only at p2's offset.
expect_eq ext4-magic-at-p2-on-image 53ef "$(dd if=$AOE_IMG bs=1 skip=$((P2_START * 512 + 1080)) count=2 status=none | xxd -p)"
mkdir -p $MNT
if ! check mount-ext4 mount -t ext4 ${AOE_DEV}p2 $MNT; then
	kill "$p1_pid" 2>/dev/null
	aoe_teardown
	return 0
fi

# Metadata-heavy work: 10 directories of 20 small files (0-6 KiB; text from a random pool,
# written by bash builtins so the guest forks little), every 7th file written with fsync,
# renames of files and of a directory, deletes, hard and symbolic links, three larger files.
fs_workload() {
	local d i n off len pool
	pool=$(dd if=/dev/urandom bs=48k count=1 status=none | base64 | tr -d '\n')
	n=0
	for d in $(seq 1 10); do
		mkdir -p $MNT/d$d/sub/deeper
		for i in $(seq 1 20); do
			n=$((n + 1))
			off=$((n * 97 % 50000))
			len=$((n * 331 % 6144))
			if [ $((n % 7)) -eq 0 ]; then
				printf '%s' "${pool:off:len}" | dd of=$MNT/d$d/f$i conv=fsync status=none
			else
				printf '%s' "${pool:off:len}" >$MNT/d$d/f$i
			fi
			[ $((i % 5)) -eq 0 ] && printf '%s\n' "$d.$i" >$MNT/d$d/sub/deeper/tag$i
		done
		mv $MNT/d$d/f3 $MNT/d$d/sub/f3.moved
		mv $MNT/d$d/f4 $MNT/d$d/f4.renamed
		rm $MNT/d$d/f5 $MNT/d$d/f6
		printf '%s' "${pool:d*100:2000}" >>$MNT/d$d/f7
	done
	mv $MNT/d10 $MNT/d10.renamed
	rm -r $MNT/d9
	ln $MNT/d1/f1 $MNT/d1/f1.hardlink
	ln -s ../d2/f2 $MNT/d1/f2.symlink
	dd if=/dev/urandom of=$MNT/big1 bs=64k count=16 status=none
	dd if=/dev/urandom of=$MNT/d2/big2 bs=1M count=2 conv=fsync status=none
	dd if=/dev/urandom of=$MNT/d3/sub/big3 bs=4k count=100 status=none
}
# The tree as a list of names and of file checksums, from inside the mount.
fs_manifest() {
	(cd $MNT && find . | sort && find . -type f | sort | xargs md5sum)
}
t=$(aoe_now)
fs_workload
fs_manifest >/tmp/fs.manifest
diag "workload: $(grep -c ' ' /tmp/fs.manifest) files, $(find $MNT -type d | wc -l) directories, $(du -sk $MNT | cut -f1) KiB, took $(aoe_since "$t") s"
check umount-1 umount $MNT
echo 3 >/proc/sys/vm/drop_caches

t=$(aoe_now)
check fsck-clean-1 e2fsck -fn ${AOE_DEV}p2
diag "fsck took $(aoe_since "$t") s"
if check mount-ext4-again mount -t ext4 ${AOE_DEV}p2 $MNT; then
	t=$(aoe_now)
	fs_manifest >/tmp/fs.manifest2
	if cmp -s /tmp/fs.manifest /tmp/fs.manifest2; then
		pass fs-manifest-after-remount
	else
		run diff /tmp/fs.manifest /tmp/fs.manifest2 | head -n 20
		fail fs-manifest-after-remount "names or checksums differ"
	fi
	diag "verify took $(aoe_since "$t") s"
	check umount-2 umount $MNT
fi
check fsck-clean-2 e2fsck -fn ${AOE_DEV}p2

# --- p1's background rounds, then p1 as a whole equals its slice of the image.
wait "$p1_pid"
diag "p1 loop ($p1_rounds as bytes:writes) took $(aoe_since "$t_p1") s"
for spec in $p1_rounds; do
	bs=${spec%:*}
	why=$(sed -n "s/^$bs //p" /tmp/p1.log)
	if [ "$why" = ok ]; then pass p1-dio-bs$bs; else fail p1-dio-bs$bs "${why:-no result}"; fi
done
expect_eq p1-equals-image-slice \
	"$(dd if=$AOE_IMG bs=512 skip=$P1_START count=$P1_SIZE status=none | md5sum | cut -d' ' -f1)" \
	"$(dd if=${AOE_DEV}p1 bs=1M iflag=direct status=none | md5sum | cut -d' ' -f1)"

# --- rmmod is refused while the disk is open, the disk keeps working, then unloads when closed.
exec 3<$AOE_DEV
if rmmod "$(aoe_module)" 2>/tmp/rmmod.err; then
	fail rmmod-refused-while-open "rmmod $(aoe_module) succeeded with $AOE_DEV open"
	exec 3<&-
	ip link del veth0
	return 0
fi
diag "rmmod with $AOE_DEV open: $(cat /tmp/rmmod.err)"
pass rmmod-refused-while-open
expect_eq read-while-held-open \
	"$(dd if=$AOE_IMG bs=1M skip=2 count=4 status=none | md5sum | cut -d' ' -f1)" \
	"$(dd if=$AOE_DEV bs=1M skip=2 count=4 iflag=direct status=none | md5sum | cut -d' ' -f1)"
exec 3<&-
aoe_teardown && pass module-unload || fail module-unload "rmmod $(aoe_module) failed"
