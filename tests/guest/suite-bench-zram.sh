# SPDX-License-Identifier: GPL-2.0
# Side by side, one guest: zram.ko and rzram (without integrity mode, which zram lacks) take
# turns, BENCH_REPS rounds, zram.ko first in odd rounds, rzram first in even ones, both lz4:
# - a sequential O_DIRECT bs=1M write then read of a realistic BENCH_MIB MiB dataset, checked
#   by md5, and what storing it cost (mm_stat);
# - 4 KiB random reads and writes with fio, when the initramfs has it;
# - writeback of the stored dataset's idle pages to a backing device (device 1 of the same
#   driver), then the dataset read back through it, checked by md5;
# - the time a fixed swap workload takes (swap-pressure, every page verified) with the memory
#   available held to BENCH_SWAP_RAM_MIB by reserved huge pages, so it swaps three times that;
#   the other tests fit in it as well; then the same workload with idle pages written back to
#   the backing device every second.
# Raw LZ4 on the same dataset (lz4-ceiling) is the ceiling the sequential transfers are put
# against. Bench lines: bench-lib.sh.
. /tests/guest/zram-lib.sh
. /tests/guest/bench-lib.sh

MIB=${BENCH_MIB:-64}
REPS=${BENCH_REPS:-3}
SWAP_RAM_MIB=${BENCH_SWAP_RAM_MIB:-128}
SWAP_MIB=$((SWAP_RAM_MIB * 3))
PAGE=$(($(awk '/^KernelPageSize/ {print $2; exit}' /proc/self/smaps) * 1024))
# Unswappable: the dataset stays put while the swap workload runs.
data=/mnt/bench
mkdir -p $data && mount -t ramfs ramfs $data
echo "bench-title: rzram (integrity off) vs zram.ko, lz4: dd O_DIRECT bs=1M of a $MIB MiB mixed dataset, fio 4 KiB random, writeback, swap-pressure of $SWAP_MIB MiB in $SWAP_RAM_MIB MiB (and with writeback)"
if [ "$MIB" -gt "$SWAP_RAM_MIB" ]; then
	fail bench-sizes "BENCH_MIB ($MIB) must fit in BENCH_SWAP_RAM_MIB ($SWAP_RAM_MIB)"
	return 0
fi
check bench-dataset make_realistic_dataset $data/dataset "$MIB" || return 0
want=$(md5 $data/dataset)

# Every page round-trips through lz4-ceiling before it is timed.
if ceiling=$(lz4-ceiling --file $data/dataset); then
	pass bench-lz4-ceiling
else
	fail bench-lz4-ceiling "$ceiling"
fi
diag "lz4-ceiling: $(echo $ceiling)"
compress_ceiling=$(echo "$ceiling" | awk '$1 == "compress_mb_s" {print $2}')
decompress_ceiling=$(echo "$ceiling" | awk '$1 == "decompress_mb_s" {print $2}')
echo "bench-info: - lz4-ceiling-compress $compress_ceiling MB/s"
echo "bench-info: - lz4-ceiling-decompress $decompress_ceiling MB/s"
echo "bench-info: - lz4-dataset-ratio $(echo "$ceiling" | awk '$1 == "pages" {p = $2} $1 == "compressed_bytes" {c = $2} END {printf "%.2f", (c > 0 ? p * 4096 / c : 0)}')"
# available_mib: MiB of memory available, once the caches are dropped.
available_mib() {
	echo 3 >/proc/sys/vm/drop_caches
	awk '/MemAvailable/ {print int($2 / 1024)}' /proc/meminfo
}

# hold_available MIB: reserves or frees huge pages until about MIB MiB are available; the
# first call, before memory fragments, reserves them all. Three rounds, a second apart: memory
# a reset or a swapoff frees may come back late.
hold_available() {
	local pages try
	for try in 1 2 3; do
		echo 1 >/proc/sys/vm/compact_memory
		pages=$(($(cat /proc/sys/vm/nr_hugepages) + ($(available_mib) - $1) / 2))
		echo $((pages > 0 ? pages : 0)) >/proc/sys/vm/nr_hugepages
		sleep 1
	done
}

# Memory available: the device's pool during the transfers, the swap workload's RAM.
hold_available "$SWAP_RAM_MIB"
diag "$(grep -E 'MemAvailable|HugePages_Total' /proc/meminfo | xargs)"
if ! command -v fio >/dev/null; then
	skip bench-fio "fio is not in the initramfs: no 4 KiB random read/write results"
fi

# of_ceiling DRIVER TEST CEILING: the last throughput as a fraction of a ceiling.
of_ceiling() {
	echo "bench-info: $1 $2-of-lz4-ceiling $(awk -v r="$BENCH_RATE" -v c="$3" 'BEGIN {printf "%.2f", (c > 0 ? r / c : 0)}')"
}

# fio_random DRIVER TEST RW DEVICE: 4 KiB O_DIRECT random I/O, one job, synchronous, over the
# dataset's span (the same offsets for both drivers); prints IOPS and CPU per GiB.
fio_random() {
	local driver=$1 test=$2 rw=$3 dev=$4 jiffies out
	jiffies=$(busy_jiffies)
	# Written buffers compress about 2:1, as the dataset does.
	# The guest kernel has no System V shared memory (CONFIG_SYSVIPC): fio must be built
	# without it (configure --esx, CONFIG_NO_SHM), and runs its job as a thread.
	if ! out=$(fio --name="$test" --filename="$dev" --rw="$rw" --bs=4k --direct=1 --thread \
		--ioengine=psync --size=${MIB}M --io_size=$((MIB / 2))M --randrepeat=1 \
		--buffer_compress_percentage=50 --refill_buffers --output-format=terse --terse-version=3 2>&1); then
		fail "bench-$driver-$test" "fio failed: $out"
		return 1
	fi
	jiffies=$(($(busy_jiffies) - jiffies))
	# Terse v3: read KiB and IOPS are fields 6 and 8, write ones 47 and 49.
	echo "$out" | awk -F';' -v d="$driver" -v t="$test" -v j="$jiffies" '{
		kib = $6 + $47; iops = $8 + $49
		printf "bench: %s %s %d IOPS %.0f\n", d, t, iops, (kib > 0 ? j * 10 * 1024 * 1024 / kib : 0)
	}'
}

# swapped_in_mib: MiB read from swap since boot.
swapped_in_mib() {
	awk '$1 == "pswpin" {print int($2 / 256)}' /proc/vmstat
}

# swap_workload: the fixed swap workload; its summary goes to the console.
swap_workload() {
	run swap-pressure --mib $SWAP_MIB --procs 2 --passes 2 --seed "$round"
}

# set_up_backing SYS BACKING_SYS MIB: a fresh backing device of MIB MiB for the device at SYS.
set_up_backing() {
	echo 1 >"$2/reset" && echo "$3M" >"$2/disksize" && echo "/dev/$(basename "$2")" >"$1/backing_dev"
}

# writeback_pages SYS: pages written back so far (bd_stat counts 4 KiB units).
writeback_pages() {
	awk -v p="$PAGE" '{print int($3 * 4096 / p)}' "$1/bd_stat"
}

# bench_writeback DRIVER SYS: writes the idle pages back and prints the rate of the bytes moved.
bench_writeback() {
	local driver=$1 sys=$2 jiffies start seconds pages mib
	echo all >"$sys/idle"
	pages=$(writeback_pages "$sys")
	jiffies=$(busy_jiffies)
	start=$EPOCHREALTIME
	echo idle >"$sys/writeback" || { fail "bench-$driver-writeback" "writeback failed"; return 1; }
	seconds=$(seconds_since "$start")
	jiffies=$(($(busy_jiffies) - jiffies))
	pages=$(($(writeback_pages "$sys") - pages))
	mib=$(awk -v n="$pages" 'BEGIN { printf "%.1f", n * 4096 / 1048576 }')
	echo "bench-info: $driver writeback-mib $mib"
	echo "bench: $driver writeback $(awk -v m="$mib" -v s="$seconds" 'BEGIN { printf "%.1f", (s > 0 ? m * 1.048576 / s : 0) }') MB/s $(cpu_ms_per_gib "$jiffies" "${mib%.*}")"
}

# writeback_every_second SYS: writes idle pages back every second until /tmp/bench-swap-done.
writeback_every_second() {
	while [ ! -e /tmp/bench-swap-done ]; do
		echo all >"$1/idle"
		echo idle >"$1/writeback" 2>/dev/null
		sleep 1
	done
}

# swap_run DRIVER TEST DEV SYS: one verified run of the swap workload on DEV.
swap_run() {
	local driver=$1 test=$2 dev=$3 sys=$4 available swapped_in
	mkswap "$dev" >/dev/null || { fail "bench-$driver-$test-setup" "mkswap $dev"; return 1; }
	hold_available "$SWAP_RAM_MIB"
	available=$(available_mib)
	echo "bench-info: $driver $test-available-mib $available"
	if [ $((available - SWAP_RAM_MIB)) -gt 16 ] || [ $((SWAP_RAM_MIB - available)) -gt 16 ]; then
		fail "bench-$driver-round-$round-$test-memory" "$available MiB available, not $SWAP_RAM_MIB"
	fi
	diag "before swapon: $(grep -E 'MemFree|MemAvailable|Shmem:|AnonPages|HugePages_(Total|Free)' /proc/meminfo | xargs)"
	swapon "$dev"
	swapped_in=$(swapped_in_mib)
	bench_duration "$driver" "$test" swap_workload &&
		pass "bench-$driver-round-$round-$test-verified"
	swapped_in=$(($(swapped_in_mib) - swapped_in))
	diag "after the workload: $(grep -E 'MemFree|MemAvailable|Shmem:|AnonPages|HugePages_(Total|Free)' /proc/meminfo | xargs)"
	echo "bench-info: $driver $test-in-mib $swapped_in"
	# A workload that did not have to read back at least its RAM's worth did not measure swap.
	if [ "$swapped_in" -lt "$SWAP_RAM_MIB" ]; then
		fail "bench-$driver-round-$round-$test-swapped" "only $swapped_in MiB swapped in"
	fi
	diag "$driver $test mm_stat: $(cat "$sys/mm_stat"), bd_stat: $(cat "$sys/bd_stat")"
	swapoff "$dev"
}

# bench_driver DRIVER: one turn of a driver.
bench_driver() {
	local driver=$1 DRIVER=$1 dev sys backing_sys
	# The device names of this driver.
	. /tests/guest/zram-lib.sh
	dev=$ZDEV sys=$ZSYS backing_sys=/sys/block/${ZMOD}1
	modprobe $ZMOD num_devices=2 || { fail "bench-$driver-load" "modprobe $ZMOD failed"; return; }
	set_up_backing $sys $backing_sys $((MIB + 16)) && echo lz4 >$sys/comp_algorithm &&
		echo $((MIB + 16))M >$sys/disksize ||
		{ fail "bench-$driver-setup" "cannot set up $dev"; rmmod $ZMOD; return; }

	bench_throughput "$driver" seq-write "$MIB" \
		dd if=$data/dataset of=$dev bs=1M oflag=direct status=none &&
		of_ceiling "$driver" seq-write "$compress_ceiling"
	echo "bench-info: $driver dataset-ratio $(awk '{printf "%.2f", $1 / $3}' $sys/mm_stat) (orig_data_size / mem_used_total)"
	echo "bench-info: $driver dataset-mem-used $(awk '{printf "%.1f", $3 / 1048576}' $sys/mm_stat) MiB"
	diag "$driver mm_stat: $(cat $sys/mm_stat)"
	bench_throughput "$driver" seq-read "$MIB" \
		dd if=$dev of=/dev/null bs=1M count="$MIB" iflag=direct status=none &&
		of_ceiling "$driver" seq-read "$decompress_ceiling"
	expect_eq "bench-$driver-round-$round-data" "$want" \
		"$(dd if=$dev bs=1M count="$MIB" iflag=direct status=none | md5sum | cut -d' ' -f1)"

	if command -v fio >/dev/null; then
		fio_random "$driver" rand-read-4k randread $dev
		fio_random "$driver" rand-write-4k randwrite $dev
		# fio's writes replaced the dataset: store it again for the writeback.
		dd if=$data/dataset of=$dev bs=1M oflag=direct status=none
	fi
	bench_writeback "$driver" $sys
	bench_throughput "$driver" seq-read-written-back "$MIB" \
		dd if=$dev of=/dev/null bs=1M count="$MIB" iflag=direct status=none
	expect_eq "bench-$driver-round-$round-written-back-data" "$want" \
		"$(dd if=$dev bs=1M count="$MIB" iflag=direct status=none | md5sum | cut -d' ' -f1)"

	echo 1 >$sys/reset
	echo lz4 >$sys/comp_algorithm && echo $((SWAP_MIB * 2))M >$sys/disksize &&
		swap_run "$driver" swap $dev $sys
	echo 1 >$sys/reset
	# The same workload with writeback: the backing device takes what goes idle.
	set_up_backing $sys $backing_sys $SWAP_MIB && echo lz4 >$sys/comp_algorithm &&
		echo $((SWAP_MIB * 2))M >$sys/disksize || { fail "bench-$driver-swap-writeback-setup" \
		"cannot set up swap with a backing device"; rmmod $ZMOD; return; }
	rm -f /tmp/bench-swap-done
	writeback_every_second $sys &
	swap_run "$driver" swap-writeback $dev $sys
	touch /tmp/bench-swap-done
	wait
	echo 1 >$sys/reset
	echo 1 >$backing_sys/reset
	rmmod $ZMOD
}

for round in $(seq 1 "$REPS"); do
	order="c rust"
	[ $((round % 2)) -eq 0 ] && order="rust c"
	for driver in $order; do
		bench_driver "$driver"
	done
done
echo 0 >/proc/sys/vm/nr_hugepages
umount $data
