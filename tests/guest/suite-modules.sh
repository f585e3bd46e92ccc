# SPDX-License-Identifier: GPL-2.0
# Each driver module of the selected side loads and unloads cleanly, three times.
if [ "$DRIVER" = rust ]; then mods="raoe rzram"; else mods="aoe zram"; fi
for mod in $mods; do
	ok=1
	for round in 1 2 3; do
		modprobe "$mod" || { ok=0; diag "modprobe $mod failed (round $round)"; break; }
		grep -q "^$mod " /proc/modules || { ok=0; diag "$mod not in /proc/modules"; break; }
		rmmod "$mod" || { ok=0; diag "rmmod $mod failed (round $round)"; break; }
	done
	if [ $ok = 1 ]; then pass "$mod-load-unload"; else fail "$mod-load-unload" "see above"; fi
done

# expect_load_refused NAME MODULE MESSAGE MODPROBE-ARGS...: one test point: modprobe with
# MODPROBE-ARGS fails, and the kernel log says MESSAGE (none to check if MESSAGE is empty).
expect_load_refused() {
	local name=$1 module=$2 message=$3
	shift 3
	dmesg -c >/dev/null
	if modprobe "$@" 2>/dev/null; then
		fail "$name" "$module loaded"
		rmmod "$module"
	elif [ -z "$message" ] || dmesg | grep -qF "$message"; then
		pass "$name"
	else
		fail "$name" "refused without the message '$message'"
	fi
}

# raoe and aoe.ko share block major 152: whichever loads second is refused, with a message.
if [ "$DRIVER" = rust ]; then
	modprobe aoe
	expect_load_refused raoe-refused-next-to-aoe raoe \
		'raoe: block major 152 is taken by another AoE driver (aoe.ko or raoe): unload it first' raoe
	rmmod aoe
	modprobe raoe
	expect_load_refused aoe-refused-next-to-raoe aoe "" aoe
	rmmod raoe
fi

# rzram's attributes stand beside what the block layer creates under every disk (with
# CONFIG_BLK_DEV_INTEGRITY=y, as in distribution kernels, an integrity/ directory): one with the
# same name would make the module fail to load.
if [ "$DRIVER" = rust ]; then
	modprobe rzram num_devices=1
	missing=
	for attr in disksize initstate reset comp_algorithm mem_limit mem_used_max compact mm_stat \
		io_stat debug_stat max_comp_streams integrity_mode integrity_errors; do
		[ -e /sys/block/rzram0/$attr ] || missing="$missing $attr"
	done
	expect_eq rzram-attributes-present "" "$missing"
	if [ "${FLAVOR:-}" = distro ]; then
		check rzram-beside-block-integrity test -d /sys/block/rzram0/integrity
	fi
	rmmod rzram
fi

# zram_names=1 (the DKMS package's /etc/modprobe.d/rzram-as-zram.conf, uncommented): rzram in
# zram.ko's place, with its names and nothing of its own; refused beside zram.ko and the reverse.
if [ "$DRIVER" = rust ]; then
	conf=/etc/modprobe.d/rzram-as-zram.conf
	cp $conf /tmp/rzram-as-zram.conf
	sed -i 's/^#\(alias\|options\) /\1 /' $conf
	run cat $conf
	# As zram-generator does when /sys/class/zram-control is missing.
	modprobe zram num_devices=2
	expect_eq zram-alias-loads-rzram "rzram" "$(awk '$1 ~ /^r?zram$/ {print $1}' /proc/modules)"
	missing=
	for path in /dev/zram0 /dev/zram1 /sys/block/zram0/disksize /sys/block/zram1/mm_stat \
		/sys/class/zram-control/hot_remove /sys/kernel/debug/zram/zram0; do
		[ -e $path ] || missing="$missing $path"
	done
	expect_eq zram-names-present "" "$missing"
	expect_eq zram-names-none-of-its-own "" "$(ls -d /dev/rzram* /sys/class/rzram-control /sys/kernel/debug/rzram 2>/dev/null)"
	# zram_drv.c: hot_add is 0400 (reading it creates a device), hot_remove 0200.
	expect_eq zram-control-modes "400 200" "$(stat -c %a /sys/class/zram-control/hot_add /sys/class/zram-control/hot_remove | xargs)"
	expect_eq zram-hot-add "2" "$(cat /sys/class/zram-control/hot_add)"
	check zram-hot-add-node test -b /dev/zram2
	check zram-hot-remove sh -c "echo 2 >/sys/class/zram-control/hot_remove && ! test -e /sys/block/zram2"
	echo 8M >/sys/block/zram1/disksize
	head -c $((8 << 20)) /dev/urandom >/tmp/zram-names.img
	dd if=/tmp/zram-names.img of=/dev/zram1 bs=1M oflag=direct status=none
	expect_eq zram-names-io "$(md5 /tmp/zram-names.img)" "$(dd if=/dev/zram1 bs=1M iflag=direct status=none | md5sum | cut -d' ' -f1)"
	rm -f /tmp/zram-names.img
	# zram.ko, by its own name: -C /dev/null leaves out modprobe.d, whose alias would load rzram.
	expect_load_refused zram-ko-refused-beside-rzram zram \
		'zram: Unable to register zram-control class' -C /dev/null zram
	check zram-names-unload rmmod rzram
	check zram-ko-loads modprobe -C /dev/null zram
	expect_load_refused rzram-refused-beside-zram-ko rzram \
		'rzram: /sys/class/zram-control is taken by another driver (zram.ko, or rzram with zram_names=1): unload it first' rzram
	check zram-ko-still-works test -e /sys/class/zram-control/hot_add
	rmmod zram
	cp /tmp/rzram-as-zram.conf $conf
	# Commented out, as the package installs it: rzram keeps its names beside zram.ko.
	modprobe zram && modprobe rzram
	expect_eq rzram-own-names-by-default "rzram zram" "$(ls -d /sys/class/zram-control /sys/class/rzram-control 2>/dev/null | sed 's|/sys/class/||; s|-control||' | xargs)"
	rmmod rzram zram
fi

# On Debian's kernel (FLAVOR=distro) the modules are the DKMS package's build and the C
# references Debian's own, all with the same vermagic; nothing loads with a symbol error.
if [ "${FLAVOR:-}" = distro ]; then
	release=$(uname -r)
	if [ "$DRIVER" = rust ]; then
		run cat /etc/raoe-rzram/dkms-status.txt
		debian_vermagic=$(modinfo -F vermagic aoe)
		for mod in raoe rzram; do
			file=$(modinfo -n $mod)
			diag "$mod: $file, vermagic $(modinfo -F vermagic $mod)"
			expect_eq $mod-vermagic-is-debians "$debian_vermagic" "$(modinfo -F vermagic $mod)"
			case "$file" in
			/lib/modules/$release/updates/dkms/$mod.ko*)
				want=$(awk -v f="$(basename "$file")" '$2 == f { print $1 }' /etc/raoe-rzram/sha256sums)
				expect_eq $mod-is-the-dkms-build "$want" "$(sha256sum "$file" | cut -d' ' -f1)"
				;;
			*) fail $mod-is-the-dkms-build "modprobe finds $file, not updates/dkms" ;;
			esac
		done
		dmesg -c >/dev/null
		modprobe raoe && modprobe rzram
		errors=$(dmesg | grep -E 'Unknown symbol|disagrees about version|version magic|Invalid module format')
		expect_eq loads-without-symbol-errors "" "$errors"
		diag "taint of raoe: $(cat /sys/module/raoe/taint 2>/dev/null) (O: out of tree; E: signed by a key the kernel does not trust, DKMS's)"
		rmmod rzram raoe
	else
		# Debian signs its modules with a key made for that one kernel build, which the kernel
		# carries: a module it loads untainted (no E, no O) is one of that build.
		for mod in aoe zram; do
			modprobe $mod
			diag "$mod: $(modinfo -n $mod), signer $(modinfo -F signer $mod), taint '$(cat /sys/module/$mod/taint)'"
			case "$(modinfo -n $mod):$(cat /sys/module/$mod/taint)" in
			/lib/modules/$release/kernel/drivers/block/*:) pass $mod-is-debians-own ;;
			*) fail $mod-is-debians-own "$(modinfo -n $mod), taint '$(cat /sys/module/$mod/taint)'" ;;
			esac
			rmmod $mod
		done
	fi
fi
