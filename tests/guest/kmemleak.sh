# SPDX-License-Identifier: GPL-2.0
# After a suite (run-suite.sh), on a kernel booted with kmemleak=on: unload the drivers, scan
# twice, and fail on any unreferenced object whose allocation trace passes through the driver
# under test (the Rust modules; for the C reference, reported only). Other suspects (boot-time
# allocations, the kernel's own false positives) are shown as diagnostics.

# The modules a suite may leave loaded; raoe also runs under aoe.ko's name (RAOE_NAME=aoe).
KMEMLEAK_MODULES="raoe rzram aoe zram"

# kmemleak_release_devices: what keeps a driver loaded once the suite is over: swap, mounts.
kmemleak_release_devices() {
	local dev mnt rest
	swapoff -a 2>/dev/null
	while read -r dev mnt rest; do
		case "$dev" in
		/dev/etherd/* | /dev/rzram* | /dev/zram*) umount "$mnt" || diag "kmemleak: umount $mnt failed" ;;
		esac
	done </proc/mounts
}


# kmemleak_report SYMBOLS REPORT OURS: prints one line per suspect, "ours|other SIZE WHERE",
# where WHERE is the first frame in one of the modules, else the first frame past the allocator.
# OURS is a space-separated list of module names whose leaks fail the guest.
kmemleak_report() {
	awk -v ours=" $3 " '
		FNR == NR { sym[++n] = $1; mod[n] = $2; snap[n] = $3; next }
		# The modules a bare address may have been in: in each snapshot of the symbols, the
		# one whose symbol precedes it most closely. "a|b" when loads reused the address.
		function module_of(addr,    i, s, best, found, names) {
			addr = tolower(substr(addr, 3))
			split("", best); split("", found); names = ""
			for (i = 1; i <= n; i++)
				if ((sym[i] "") <= (addr "") && (sym[i] "") > (best[snap[i]] "")) {
					best[snap[i]] = sym[i]; found[snap[i]] = mod[i]
				}
			for (s in found)
				if (index("|" names "|", "|" found[s] "|") == 0) names = names (names == "" ? "" : "|") found[s]
			return names
		}
		# Whether one of the "|"-separated module names is the driver under test.
		function is_ours(names,    list, i, k) {
			k = split(names, list, "|")
			for (i = 1; i <= k; i++) if (index(ours, " " list[i] " ")) return 1
			return 0
		}
		function flush() {
			if (size != "")
				print (owner != "" && is_ours(owner) ? "ours" : "other"), size, (where != "" ? where : first)
			size = ""; owner = ""; where = ""; first = ""
		}
		/^unreferenced object/ { flush(); size = $NF; sub(/\):$/, "", size); in_trace = 0; next }
		/backtrace/ { in_trace = 1; next }
		in_trace && NF {
			frame = $1; m = ""
			if ($NF ~ /^\[.*\]$/) { m = $NF; gsub(/[][]/, "", m) }
			else if (frame ~ /^0x[0-9a-f]+$/) m = module_of(frame)
			if (m != "" && owner == "") { owner = m; where = frame " [" m "]" }
			if (first == "" && frame !~ /^(kmemleak_|__kmalloc|kmalloc|kmem_cache|__kmem_cache|slab_|__alloc|alloc_pages|__vmalloc|vmalloc|kvmalloc|__kvmalloc|krealloc|__krealloc|kzalloc|kvzalloc|alloc_slab|new_slab|___slab|__slab|allocate_slab)/) first = frame
		}
		END { flush() }
	' "$1" "$2"
}

kmemleak_check() {
	local file=/sys/kernel/debug/kmemleak module ours unloaded=1 suspects
	grep -qw kmemleak=on /proc/cmdline && [ -e $file ] || return 0
	ours=
	[ "$DRIVER" = rust ] && ours="raoe rzram ${RAOE_NAME:-raoe}"
	kmemleak_release_devices
	kmemleak_note_symbols
	for module in $KMEMLEAK_MODULES; do
		[ -d /sys/module/$module ] || continue
		rmmod $module 2>/tmp/rmmod.err || {
			unloaded=0
			diag "kmemleak: rmmod $module: $(cat /tmp/rmmod.err)"
		}
	done
	[ $unloaded = 1 ] && pass unload-after-suite || fail unload-after-suite "a driver stayed loaded"
	# kmemleak reports only objects older than 5 s (MSECS_MIN_AGE): what the unload just
	# orphaned needs that long before a scan can see it.
	sleep 6
	if ! { echo scan >$file && echo scan >$file; } 2>/tmp/kmemleak.err; then
		# Under heavy memory pressure (the swap tortures) kmemleak's own metadata allocations
		# fail (they may not reclaim), its fixed pool runs dry and it turns itself off.
		if dmesg | grep -q 'kmemleak: Kernel memory leak detector disabled'; then
			skip kmemleak-clean "kmemleak turned itself off: $(dmesg | grep -m 1 -o 'kmemleak: Memory pool empty.*\|kmemleak: Cannot .*')"
		else
			fail kmemleak-clean "cannot scan: $(cat /tmp/kmemleak.err)"
		fi
		return 0
	fi
	cat $file >/tmp/kmemleak.report
	sort -u $KMEMLEAK_SYMBOLS >/tmp/kmemleak.symbols
	kmemleak_report /tmp/kmemleak.symbols /tmp/kmemleak.report "$ours" >/tmp/kmemleak.suspects
	suspects=$(wc -l </tmp/kmemleak.suspects)
	diag "kmemleak: $suspects unreferenced object(s) after unloading the drivers"
	sed 's/^/kmemleak suspect: /' /tmp/kmemleak.suspects | while read -r line; do diag "$line"; done
	if grep -q '^ours' /tmp/kmemleak.suspects; then
		sed 's/^/  /' /tmp/kmemleak.report | while read -r line; do diag "$line"; done
		fail kmemleak-clean "$(grep -c '^ours' /tmp/kmemleak.suspects) object(s) allocated through the driver were leaked"
	else
		pass kmemleak-clean
	fi
}
