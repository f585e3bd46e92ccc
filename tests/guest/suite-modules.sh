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

# raoe and aoe.ko share block major 152: whichever loads second is refused, with a message.
if [ "$DRIVER" = rust ]; then
	modprobe aoe
	if modprobe raoe 2>/dev/null; then
		fail raoe-refused-next-to-aoe "raoe loaded while aoe.ko was loaded"
		rmmod raoe
	elif dmesg | grep -q 'raoe: block major 152 is taken by another AoE driver (aoe.ko or raoe): unload it first'; then
		pass raoe-refused-next-to-aoe
	else
		fail raoe-refused-next-to-aoe "refused without the message"
	fi
	rmmod aoe
	modprobe raoe
	if modprobe aoe 2>/dev/null; then
		fail aoe-refused-next-to-raoe "aoe.ko loaded while raoe was loaded"
		rmmod aoe
	else
		pass aoe-refused-next-to-raoe
	fi
	rmmod raoe
fi

# rzram's attributes stand beside what the block layer creates under every disk (with
# CONFIG_BLK_DEV_INTEGRITY=y, as in distribution kernels, an integrity/ directory): one with the
# same name would make the module fail to load.
if [ "$DRIVER" = rust ]; then
	modprobe rzram num_devices=1
	missing=
	for attr in disksize initstate reset comp_algorithm mem_limit mem_used_max compact mm_stat \
		io_stat debug_stat integrity_mode integrity_errors; do
		[ -e /sys/block/rzram0/$attr ] || missing="$missing $attr"
	done
	expect_eq rzram-attributes-present "" "$missing"
	if [ "${FLAVOR:-}" = distro ]; then
		check rzram-beside-block-integrity test -d /sys/block/rzram0/integrity
	fi
	rmmod rzram
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
