# SPDX-License-Identifier: GPL-2.0
# The torture that motivated both drivers, in one guest: O_DIRECT loops of up to 10 MiB from
# hugetlbfs and THP buffers against two partitions of an AoE device whose link loses frames
# (netem, both directions), while processes swap heavily onto the compressed RAM disk; the
# memory pressure splits THPs under the I/O. Every byte is verified. SOAK_SECONDS (default
# 180), SOAK_LOSS (percent, default 1) and SOAK_LOOPS (I/O loops per buffer kind, default 1)
# size it; `make soak` runs it by hand for hours.
. /tests/guest/aoe-lib.sh
. /tests/guest/zram-lib.sh

duration=${SOAK_SECONDS:-180}
loss=${SOAK_LOSS:-1}
loops=${SOAK_LOOPS:-1}

if ! aoe_setup 96; then
	fail discovery "target e$AOE_SHELF.$AOE_SLOT not found"
	return 0
fi
pass discovery
printf 'start=2048, size=90112\nstart=92160, size=90112\n' >/tmp/parts
check partition-table sfdisk -q $AOE_DEV </tmp/parts
check partition-rescan blockdev --rereadpt $AOE_DEV
for dev in veth0 veth1; do
	tc qdisc add dev $dev root netem loss "$loss%" limit 10000 || fail netem "tc netem on $dev failed"
done

# Each hugetlb loop holds two 12 MiB buffers of 2 MiB pages. Rounds are short (2 I/Os of up
# to 10 MiB; ~RAM of swap pressure) so that the loops stop soon after the deadline.
echo $((loops * 12 + 4)) >/proc/sys/vm/nr_hugepages
echo madvise >/sys/kernel/mm/transparent_hugepage/enabled
modprobe $ZMOD || fail swap-setup "modprobe $ZMOD failed"
echo lz4 >$ZSYS/comp_algorithm
echo 1G >$ZSYS/disksize
mkswap $ZDEV >/dev/null && swapon $ZDEV || fail swap-setup "swapon $ZDEV failed"
diag "soak: ${duration} s, ${loss}% loss each way, $loops I/O loop(s) per buffer kind, swap on $ZDEV"

vmstat_field() {
	awk -v k="$1" '$1 == k { print $2 }' /proc/vmstat
}
pswpout_before=$(vmstat_field pswpout)
splits_before=$(vmstat_field thp_split_page)
deadline=$(($(date +%s) + duration))

# last_count KEY TEXT: the number after the last "KEY=" in TEXT, 0 if none.
last_count() {
	local n
	n=$(printf '%s\n' "$2" | sed -n "s/.*$1=\([0-9]*\).*/\1/p" | tail -n 1)
	echo "${n:-0}"
}

# dio_loop NAME DEVICE SOURCE SEED [--split]: hugepage-dio rounds until the deadline; leaves
# "rounds failed bytes_verified rounds_on_small_pages" in /tmp/soak-NAME.result. Under the swap
# loop's pressure a THP buffer may get no huge page: that round runs on small pages, counted.
dio_loop() {
	local name=$1 dev=$2 source=$3 seed=$4 rounds=0 failed=0 bytes=0 small=0 out
	shift 4
	while [ "$(date +%s)" -lt $deadline ]; do
		rounds=$((rounds + 1))
		out=$(hugepage-dio --device "$dev" --source "$source" --buf-mib 12 --max-io-kib 10240 \
			--iterations 2 --seed $((seed + rounds)) --thp-best-effort "$@" 2>&1) || {
			failed=$((failed + 1))
			printf 'round %s: %s\n' $rounds "$(printf '%s\n' "$out" | grep -v '^# reread' | tail -n 3)" \
				>>/tmp/soak-$name.log
		}
		bytes=$((bytes + $(last_count bytes_verified "$out")))
		case "$out" in *"no huge page backs"*) small=$((small + 1)) ;; esac
	done
	echo "$rounds $failed $bytes $small" >/tmp/soak-$name.result
}

# swap_loop: swap-pressure rounds (2 processes, THP, a rewriter) until the deadline.
swap_loop() {
	local rounds=0 failed=0 pages=0 out
	while [ "$(date +%s)" -lt $deadline ]; do
		rounds=$((rounds + 1))
		out=$(swap-pressure --mib 600 --procs 2 --thp --passes 1 --rewriters 1 --rewrite-secs 5 \
			--seed $rounds 2>&1) || {
			failed=$((failed + 1))
			printf 'round %s: %s\n' $rounds "$(printf '%s\n' "$out" | tail -n 3)" >>/tmp/soak-swap.log
		}
		pages=$((pages + $(last_count pages_verified "$(printf '%s\n' "$out" | grep 'swap-pressure:')")))
	done
	echo "$rounds $failed $pages" >/tmp/soak-swap.result
}

pids=
names=swap
for i in $(seq 1 "$loops"); do
	names="$names hugetlb-$i thp-$i"
	dio_loop hugetlb-$i ${AOE_DEV}p1 hugetlb $((i * 1000)) &
	pids="$pids $!"
	dio_loop thp-$i ${AOE_DEV}p2 thp $((i * 1000 + 500)) --split &
	pids="$pids $!"
done
swap_loop &
pids="$pids $!"
wait $pids

total_rounds=0 total_bytes=0
for name in $names; do
	# A loop that died early left no result: that is a failure, not a quiet gap.
	if ! read -r rounds failed amount small <"/tmp/soak-$name.result"; then
		fail "soak-$name-verified" "the loop left no result"
		continue
	fi
	total_rounds=$((total_rounds + rounds))
	if [ "$name" = swap ]; then
		diag "soak-$name: $rounds rounds, $failed failed, $amount pages verified"
	else
		total_bytes=$((total_bytes + amount))
		diag "soak-$name: $rounds rounds, $failed failed, $amount bytes verified, $small on small pages"
	fi
	[ -e /tmp/soak-$name.log ] && diag "$(head -n 12 /tmp/soak-$name.log)"
	expect_eq "soak-$name-verified" 0 "$failed"
done
swapoff $ZDEV
echo 0 >/proc/sys/vm/nr_hugepages
for dev in veth0 veth1; do tc qdisc del dev $dev root; done
expect_eq device-equals-image "$(md5 $AOE_IMG)" "$(dd if=$AOE_DEV bs=1M iflag=direct status=none | md5sum | cut -d' ' -f1)"
diag "soak summary: iterations $total_rounds, bytes verified $total_bytes," \
	"pages swapped out $(($(vmstat_field pswpout) - pswpout_before))," \
	"THP splits $(($(vmstat_field thp_split_page) - splits_before))," \
	"kernel warnings $(dmesg | grep -cE 'WARNING:|BUG:|Oops|KFENCE|bad page')"
[ "$DRIVER" = rust ] && diag "$(grep -E '^(pins_|retransmits|drops|late_releases)' /sys/kernel/debug/raoe/e$AOE_SHELF.$AOE_SLOT/stats)"
echo 1 >$ZSYS/reset
rmmod $ZMOD || fail swap-module-unload "rmmod $ZMOD failed"
aoe_teardown && pass module-unload || fail module-unload "rmmod $(aoe_module) failed"
[ "$DRIVER" = rust ] && check_pins_balance
