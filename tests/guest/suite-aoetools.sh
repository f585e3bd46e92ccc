# SPDX-License-Identifier: GPL-2.0
# Every aoetools command, run against aoe.ko and then against raoe built as aoe.ko and put in
# its place (updates/, as the DKMS package does with RAOE_MODULE_NAME=aoe); their outputs and
# exit statuses are compared line by line. The one deliberate difference, the driver version
# aoe-version prints (raoe's own), is masked and checked apart (README, "raoe as aoe").
. /tests/guest/aoe-lib.sh

OUT=/tmp/aoetools
DEV_NAME=e$AOE_SHELF.$AOE_SLOT

# tool NAME CMD...: runs a command; its output and exit status are kept as NAME of this side.
tool() {
	local name=$1
	shift
	"$@" >"$OUT/$side/$name" 2>&1
	echo "exit $?" >>"$OUT/$side/$name"
}

# The driver loaded as `aoe`, with the module parameters given, and its device up.
load_aoe() {
	modprobe aoe aoe_iflist=veth0 "$@" && aoe_wait_up $DEV_NAME 30
}

# Every command, on the driver `modprobe aoe` loads; $side names where the outputs go.
exercise() {
	mkdir -p "$OUT/$side"
	dmesg -c >/dev/null
	load_aoe || { fail "$side-device-up" "no $DEV_NAME with $(modinfo -n aoe)" && return 1; }
	tool version aoe-version
	tool interfaces aoe-interfaces
	tool interfaces-set aoe-interfaces veth0
	tool interfaces-after-set aoe-interfaces
	tool interfaces-not-a-netif aoe-interfaces nosuch0
	tool discover aoe-discover
	tool stat aoe-stat
	# The disk's name is etherd/eS.N, as the kernel prints it (here and in its messages).
	tool partitions grep etherd /proc/partitions
	tool revalidate aoe-revalidate $DEV_NAME
	tool revalidate-unknown aoe-revalidate e9.9
	aoe_wait_up $DEV_NAME 30
	tool flush-unknown aoe-flush e9.9
	tool flush-down aoe-flush
	tool mkdevs-dynamic aoe-mkdevs "$OUT/$side-nodes"
	tool mkshelf-dynamic aoe-mkshelf "$OUT/$side-nodes" $AOE_SHELF
	tool sancheck aoe-sancheck
	tool aoecfg aoecfg -t 2 $AOE_SHELF $AOE_SLOT veth0
	tool stat-before-flush aoe-stat
	tool flush-all aoe-flush -a
	tool stat-after-flush aoe-stat
	rmmod aoe

	# Fixed minors (aoe_dyndevs=0): the nodes aoe-mkdevs and aoe-mkshelf make, without udev,
	# open this very disk and the control nodes.
	load_aoe aoe_dyndevs=0 || { fail "$side-device-up-fixed" "no $DEV_NAME" && return 1; }
	tool dyndevs cat /sys/module/aoe/parameters/aoe_dyndevs
	tool dev-fixed cat "$AOE_SYS/dev"
	tool mkdevs-fixed env n_shelves=1 n_partitions=16 aoe-mkdevs "$OUT/$side-nodes"
	tool mkdevs-nodes sh -c "cd $OUT/$side-nodes && stat -c '%n %F %t:%T %a' err discover interfaces revalidate flush $DEV_NAME ${DEV_NAME}p1"
	tool mkdevs-disk-data sh -c "dd if=$OUT/$side-nodes/$DEV_NAME bs=1M count=2 iflag=direct status=none | md5sum | cut -d' ' -f1 &&
		dd if=$AOE_IMG bs=1M count=2 status=none | md5sum | cut -d' ' -f1"
	tool mkdevs-discover sh -c "printf 1 >$OUT/$side-nodes/discover"
	tool mkdevs-revalidate-unknown sh -c "printf e9.9 >$OUT/$side-nodes/revalidate"
	mkdir -p "$OUT/$side-shelf"
	tool mkshelf-fixed aoe-mkshelf "$OUT/$side-shelf" $AOE_SHELF
	tool mkshelf-disk-data sh -c "dd if=$OUT/$side-shelf/$DEV_NAME bs=1M count=2 iflag=direct status=none | md5sum | cut -d' ' -f1"
	rmmod aoe
}

aoe_target_up 16 || fail target-up "no veth pair or vblade"
# aoe.ko first: once raoe is in updates/, `modprobe aoe` loads raoe.
side=aoe.ko
exercise
kernel_aoe=$(modinfo -n aoe)
raoe_as_aoe_install
side=raoe
expect_eq raoe-in-aoe-place "/lib/modules/$(uname -r)/updates/raoe-as-aoe/aoe.ko" "$(modinfo -n aoe | sed 's/\.ko.*/.ko/')"
diag "aoe.ko: $kernel_aoe; raoe as aoe: $(modinfo -n aoe), version $(modinfo -F version aoe)"
exercise

# Both builds of raoe, like raoe and aoe.ko, never load together.
modprobe aoe aoe_iflist=veth0
if modprobe raoe 2>/dev/null; then
	fail raoe-refused-next-to-raoe-as-aoe "both loaded"
	rmmod raoe
else
	check raoe-refused-next-to-raoe-as-aoe sh -c "dmesg | grep -q 'raoe: block major 152 is taken by another AoE driver'"
fi
rmmod aoe

# Without udev, the nodes aoe-mkdevs and aoe-mkshelf make (fixed minors) read the target's data.
image=$(dd if=$AOE_IMG bs=1M count=2 status=none | md5sum | cut -d' ' -f1)
for side in aoe.ko raoe; do
	expect_eq "$side-mkdevs-node-reads-the-disk" "$image" "$(head -n1 "$OUT/$side/mkdevs-disk-data")"
	expect_eq "$side-mkshelf-node-reads-the-disk" "$image" "$(head -n1 "$OUT/$side/mkshelf-disk-data")"
done

# raoe's version is its own (85, aoe.ko's, then raoe's package version); aoe-version shows it.
version=$(modinfo -F version aoe)
case "$version" in 85+raoe-*) pass raoe-version ;; *) fail raoe-version "modinfo version '$version'" ;; esac
expect_eq aoe-version-shows-raoe "2" "$(grep -c "aoe driver:	$version" "$OUT/raoe/version")"
for file in "$OUT/aoe.ko"/*; do
	name=$(basename "$file")
	diag "aoe.ko, $name: $(tr '\n' '|' <"$file")"
	diag "raoe,   $name: $(tr '\n' '|' <"$OUT/raoe/$name")"
	if [ "$name" = version ]; then
		mask='s/\(aoe driver:	\).*/\1VERSION/'
	else
		mask=
	fi
	sed "$mask" "$file" >/tmp/aoe.ko.out
	sed "$mask" "$OUT/raoe/$name" >/tmp/raoe.out
	if diff /tmp/aoe.ko.out /tmp/raoe.out >/tmp/diff 2>&1; then
		pass "same-$name"
	else
		fail "same-$name" "differs from aoe.ko's"
		sed 's/^/#   /' /tmp/diff
	fi
done
