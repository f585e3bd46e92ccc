# SPDX-License-Identifier: GPL-2.0
# The programs that set up compressed swap, run unchanged against zram.ko or rzram in its place
# (zram_names=1 through the package's /etc/modprobe.d/rzram-as-zram.conf): trixie's util-linux
# 2.41 zramctl (--find, listing, algorithm parameters, --reset) and systemd's zram-generator
# 1.2.1 (--setup-device with a zram-generator.conf naming a recompression algorithm and a
# writeback-device, then swap on it under the swap torture with idle pages written back,
# --reset-device). Both drivers must give the same results (recompression: rzram only, Debian's
# zram.ko has none). The programs are trixie's, with
# trixie's C library (scripts/distro-tools.sh): the distro flavour packs them.
PATH=/opt/trixie/bin:$PATH

if [ "$DRIVER" = rust ]; then
	sed -i 's/^#\(alias\|options\) /\1 /' /etc/modprobe.d/rzram-as-zram.conf
	ZMOD=rzram
else
	ZMOD=zram
fi
diag "$(zramctl --version), $(zram-generator --version 2>&1 | head -n 1)"
# As zramctl --find and zram-generator's units find it: by the name zram.
check modprobe-zram modprobe zram num_devices=0
expect_eq module-behind-zram "$ZMOD" "$(awk '$1 ~ /^r?zram$/ {print $1}' /proc/modules)"

# zramctl --find: hot_add, then the algorithm, its parameters and the size.
expect_eq zramctl-find /dev/zram0 "$(zramctl --find --size 64M --algorithm zstd 2>&1)"
expect_eq zramctl-find-set-up "zstd $((64 << 20))" \
	"$(sed 's/.*\[\(.*\)\].*/\1/' /sys/block/zram0/comp_algorithm) $(cat /sys/block/zram0/disksize)"
head -c $((8 << 20)) /dev/zero | tr '\0' 'z' >/tmp/data
dd if=/tmp/data of=/dev/zram0 bs=1M oflag=direct status=none
# The listing, minus what depends on the allocator and timing (COMPR, TOTAL, STREAMS: zram.ko
# 7.3 has no max_comp_streams): the same line from both drivers.
expect_eq zramctl-lists "/dev/zram0 zstd 64M 8M" \
	"$(zramctl --noheadings --output NAME,ALGORITHM,DISKSIZE,DATA | xargs)"
run zramctl --output-all
expect_eq zramctl-data-intact "$(md5 /tmp/data)" \
	"$(dd if=/dev/zram0 bs=1M count=8 iflag=direct status=none | md5sum | cut -d' ' -f1)"
# -p: algorithm_params, written before the size; a level zstd refuses fails the size.
expect_eq zramctl-params /dev/zram1 \
	"$(zramctl --find --size 32M --algorithm zstd --algorithm-params 'level=9' 2>&1)"
expect_eq zramctl-params-set-up 1 "$(cat /sys/block/zram1/initstate)"
if zramctl --find --size 32M --algorithm zstd --algorithm-params 'level=99' >/tmp/zramctl.out 2>&1; then
	fail zramctl-params-refused "zramctl set up a device with zstd level 99: $(cat /tmp/zramctl.out)"
else
	pass zramctl-params-refused
	diag "$(cat /tmp/zramctl.out)"
fi
# --reset resets the devices and, since util-linux 2.41, removes them (hot_remove).
check zramctl-reset zramctl --reset /dev/zram0 /dev/zram1
expect_eq zramctl-reset-removes "" "$(ls -d /sys/block/zram0 /sys/block/zram1 2>/dev/null)"
diag "devices left: $(ls /sys/class/block | grep '^zram' | xargs)"

# zram-generator --setup-device, as systemd-zram-setup@zram0.service runs it: the algorithms
# (zstd at level 3, then lz4 for recompression of huge pages: rzram has recompression, Debian's
# zram.ko not, which zram-generator reports and skips), a backing device for writeback (a
# second device of the same driver: the guest kernels have no loop driver in common), the size,
# then systemd-makefs swap (the guest's stand-in runs mkswap).
backing=/dev/zram1
mkdir -p /etc/systemd
cat >/etc/systemd/zram-generator.conf <<CONF
[zram0]
zram-size = ram / 2
compression-algorithm = zstd(level=3) lz4 (type=huge)
writeback-device = $backing
swap-priority = 100
CONF
run cat /etc/systemd/zram-generator.conf
mem_kib=$(awk '/MemTotal/ {print $2}' /proc/meminfo)
# As systemd's unit expects it: the device exists (zram-generator's generator would hot_add it).
expect_eq zram-generator-device-added 0 "$(cat /sys/class/zram-control/hot_add)"
expect_eq backing-device-added 1 "$(cat /sys/class/zram-control/hot_add)"
check backing-device-set-up sh -c "echo 96M >/sys/block/zram1/disksize"
check zram-generator-setup zram-generator --setup-device zram0
expect_eq zram-generator-set-up "zstd 1 $backing" \
	"$(sed 's/.*\[\(.*\)\].*/\1/' /sys/block/zram0/comp_algorithm) $(cat /sys/block/zram0/initstate) $(cat /sys/block/zram0/backing_dev)"
if [ -e /sys/block/zram0/recomp_algorithm ]; then
	expect_eq zram-generator-recompression-lz4 "[lz4]" \
		"$(grep -o '^#1: .*' /sys/block/zram0/recomp_algorithm | grep -o '\[lz4\]')"
else
	diag "$ZMOD has no recompression: zram-generator skipped lz4"
fi
# zram-size "ram / 2": half of MemTotal, in MiB.
disksize_kib=$(($(cat /sys/block/zram0/disksize) / 1024))
diag "disksize ${disksize_kib} KiB, MemTotal ${mem_kib} KiB"
expect_eq zram-generator-size-half-of-ram 1 \
	"$([ $((disksize_kib * 2)) -le "$mem_kib" ] && [ $((disksize_kib * 2)) -ge $((mem_kib * 99 / 100)) ] && echo 1)"
check zram-generator-swapon swapon -p 100 /dev/zram0
expect_eq zram-generator-swap-active "/dev/zram0 100" "$(awk 'NR > 1 {print $1, $5}' /proc/swaps)"
echo always >/sys/kernel/mm/transparent_hugepage/enabled
# 96 MiB more than is available: the guest's files (its root is in RAM) leave less than half.
available_mib=$(($(awk '/MemAvailable/ {print $2}' /proc/meminfo) / 1024))
# Idle pages written back every second meanwhile, as a writeback timer would.
rm -f /tmp/torture-done
(
	while [ ! -e /tmp/torture-done ]; do
		echo all >/sys/block/zram0/idle
		echo idle >/sys/block/zram0/writeback 2>/dev/null
		sleep 1
	done
) &
writeback_pid=$!
check zram-generator-swap-torture swap-pressure --mib $((available_mib + 96)) --procs 2 \
	--passes 1 --thp --rewriters 1 --rewrite-secs 5 --seed 51
touch /tmp/torture-done
wait $writeback_pid
diag "mm_stat: $(cat /sys/block/zram0/mm_stat), bd_stat: $(cat /sys/block/zram0/bd_stat)"
expect_eq zram-generator-wrote-back 1 "$([ "$(awk '{print $3}' /sys/block/zram0/bd_stat)" -gt 0 ] && echo 1)"
expect_eq zram-generator-swapped-out 1 "$([ "$(awk '{print $1}' /sys/block/zram0/mm_stat)" -gt 0 ] && echo 1)"
check zram-generator-swapoff swapoff /dev/zram0
check zram-generator-reset zram-generator --reset-device zram0
expect_eq zram-generator-reset-disksize "0 none" "$(cat /sys/block/zram0/disksize) $(cat /sys/block/zram0/backing_dev)"
check backing-device-reset sh -c "echo 1 >/sys/block/zram1/reset"
if [ "$DRIVER" = rust ]; then
	expect_eq integrity-errors 0 "$(cat /sys/block/zram0/integrity_errors)"
fi
check unload rmmod $ZMOD
