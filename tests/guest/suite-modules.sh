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
	elif dmesg | grep -q 'raoe: block major 152 is taken: unload aoe.ko before loading raoe'; then
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
