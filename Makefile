# SPDX-License-Identifier: GPL-2.0
# raoe + rzram: Rust AoE initiator and compressed RAM swap device, with their QEMU harness.
# Every target installs what it needs (scripts/bootstrap.sh) and caches the toolchain and the
# kernels outside the clone (~/.cache/raoe-rzram, or $RAOE_CACHE).

# FLAVOR: debug (our kernel with the checkers), kasan (the same plus KASAN, built by Clang 19),
# perf (our kernel without them) or distro (Debian's stock 7.3 kernel, its modules built by the
# DKMS package in a trixie build root).
FLAVOR  ?= debug
DRIVERS ?= both
SUITES  ?=
# What `make test` runs on Debian's kernel beside the debug flavour (SUITES narrows it too).
DISTRO_SUITES ?= modules,aoe,hugepage-dio,zram,zram-tools,aoetools
# Left to `make check-deep` (with SUITES unset, `make test` skips them: its warm run stays under
# 30 minutes): allocation-failure injection and rmmod under load.
DEEP_SUITES ?= aoe-alloc-faults,zram-alloc-faults,unload
BUILD   := $(CURDIR)/build/$(FLAVOR)
RESULTS ?= $(BUILD)/results
# The distro flavour's modules are what DKMS installed (raoe.ko, or raoe.ko.xz where it compresses).
MODULES := $(BUILD)/modules/raoe.ko* $(BUILD)/modules/rzram.ko*
KDIR     = $$(scripts/build-kernel.sh $(FLAVOR))
INITRD  := $(BUILD)/initramfs.cpio
# raoe built as aoe.ko (Kbuild's RAOE_MODULE_NAME=aoe), for the suites that run it in aoe.ko's
# place (RAOE_NAME=aoe, and `aoetools`).
MODULE_AS_AOE := $(BUILD)/modules-as-aoe/aoe.ko*
# --bench: the bench guest's extra tools (fio); `make bench` sets it.
INITRAMFS_FLAGS ?= $(if $(filter distro,$(FLAVOR)),--dkms,--kunit $(BUILD)/modules-kunit)
# RAOE_NAME=aoe: the Rust AoE suites load raoe as aoe (installed in updates/, as DKMS does).
RAOE_NAME ?= raoe

comma := ,
empty :=
space := $(empty) $(empty)
distro_run = $(subst $(space),$(comma),$(strip $(if $(SUITES),$(filter $(subst $(comma), ,$(SUITES)),\
	$(subst $(comma), ,$(DISTRO_SUITES))),$(subst $(comma), ,$(DISTRO_SUITES)))))

.PHONY: all bootstrap kernel modules tools check initramfs test check-deep guests run soak bench deb \
	fuzz clean

all: modules

bootstrap:
	@scripts/bootstrap.sh

kernel: bootstrap
	@scripts/build-kernel.sh $(FLAVOR) >/dev/null

ifeq ($(FLAVOR),distro)
# `make deb`'s package, installed with apt in the trixie root: DKMS builds with Debian's rustc.
modules: kernel
	@scripts/distro-modules.sh $(BUILD)/modules
else
# The kernel's Rust lints are errors (CLIPPY=1 W=e); see scripts/kmake.sh. raoe is built a
# second time as aoe.ko, and both modules a third time with their KUnit tests.
modules: kernel
	@scripts/kmake.sh $(FLAVOR) modules
	@RAOE_MODULE_NAME=aoe scripts/kmake.sh $(FLAVOR) modules
	@RAOE_RZRAM_KUNIT=1 scripts/kmake.sh $(FLAVOR) modules
endif

# The DKMS package, build/raoe-rzram-dkms_<version>_all.deb.
deb:
	@scripts/make-deb.sh $(CURDIR)/build

tools: bootstrap
	@scripts/host-rust.sh build

check: modules tools
	@scripts/check.sh

initramfs: modules tools
	@scripts/mkinitramfs.sh $(INITRAMFS_FLAGS) --raoe-as-aoe $(MODULE_AS_AOE) "$(KDIR)" $(INITRD) \
		$(MODULES) >/dev/null

# Host unit tests, then one guest per (suite, driver); the debug flavour's run is followed by
# DISTRO_SUITES on Debian's kernel, where their C guests run (the drivers users run, on the
# kernel they run: not twice). The last line is "N passed, N failed, N skipped".
test: check
	@rm -rf $(RESULTS) && mkdir -p $(RESULTS)
	@scripts/host-rust.sh test $(RESULTS)
	@$(MAKE) --no-print-directory SKIP_SUITES=$(if $(SUITES),,$(DEEP_SUITES)) \
		SKIP_C_SUITES=$(if $(filter debug,$(FLAVOR)),$(distro_run)) guests
ifeq ($(FLAVOR)$(if $(distro_run),,none),debug)
	@rm -rf build/distro/results
	@$(MAKE) --no-print-directory FLAVOR=distro SUITES=$(distro_run) RESULTS=$(CURDIR)/build/distro/results guests
	@scripts/parse-results.py $(RESULTS) build/distro/results
else
	@scripts/parse-results.py $(RESULTS)
endif

# Every Rust suite on the KASAN kernel, DEEP_SUITES among them, then DEEP_SUITES for the C
# drivers on the debug kernel (too slow for make test's 30 minutes). The last line is
# "N passed, N failed, N skipped"; any KASAN report or leak fails its guest.
check-deep:
	@rm -rf build/kasan/results build/debug/deep-results
	@$(MAKE) --no-print-directory FLAVOR=kasan DRIVERS=rust guests
	@$(MAKE) --no-print-directory FLAVOR=debug DRIVERS=c SUITES=$(DEEP_SUITES) \
		RESULTS=$(CURDIR)/build/debug/deep-results guests
	@scripts/parse-results.py build/kasan/results build/debug/deep-results

# One guest per (suite, driver) on this flavour's kernel; on Debian's, the DKMS build is judged
# first (scripts/distro-checks.sh).
guests: initramfs
	@mkdir -p $(RESULTS)
	$(if $(filter distro,$(FLAVOR)),@scripts/distro-checks.sh $(BUILD)/modules $(RESULTS))
	@FLAVOR=$(FLAVOR) RAOE_NAME=$(RAOE_NAME) SKIP_SUITES=$(SKIP_SUITES) SKIP_C_SUITES=$(SKIP_C_SUITES) scripts/run-tests.sh "$(KDIR)/arch/x86/boot/bzImage" \
		$(INITRD) $(RESULTS) $(DRIVERS) $(SUITES)

# A human-readable demo with raoe and rzram (DRIVERS=c: aoe.ko and zram.ko): vblade target
# discovered, a direct-I/O transfer, swap on the ramdisk.
run: initramfs
	@rm -rf $(BUILD)/run && mkdir -p $(BUILD)/run
	@scripts/qemu-run.sh "$(KDIR)/arch/x86/boot/bzImage" $(INITRD) $(BUILD)/run/demo.log \
		mem=512 cpus=2 timeout=600 -- suite=demo driver=$(if $(filter c,$(DRIVERS)),c,rust)
	@scripts/parse-results.py $(BUILD)/run

# The seed torture alone, as long as SOAK_SECONDS says (default 180; make test runs the short
# form), with SOAK_LOSS percent loss on the AoE link and SOAK_LOOPS I/O loops per buffer kind.
SOAK_SECONDS ?= 180
SOAK_LOSS    ?= 1
SOAK_LOOPS   ?= 1
soak: initramfs
	@rm -rf $(BUILD)/soak && mkdir -p $(BUILD)/soak
	@scripts/qemu-run.sh "$(KDIR)/arch/x86/boot/bzImage" $(INITRD) $(BUILD)/soak/soak-rust.log \
		mem=640 cpus=2 timeout=$$(($(SOAK_SECONDS) + 900)) -- suite=soak driver=rust \
		flavor=$(FLAVOR) $(if $(filter debug kasan,$(FLAVOR)),kmemleak=on) \
		SOAK_SECONDS=$(SOAK_SECONDS) SOAK_LOSS=$(SOAK_LOSS) SOAK_LOOPS=$(SOAK_LOOPS)
	@grep -h 'soak summary' -A1 $(BUILD)/soak/soak-rust.log | head -n 2
	@scripts/parse-results.py $(BUILD)/soak

# Rust vs C side by side on the perf kernel; speed is reported (docs/benchmarks.md), never asserted.
bench:
	@$(MAKE) --no-print-directory FLAVOR=perf INITRAMFS_FLAGS=--bench initramfs
	@scripts/bench.sh "$$(scripts/build-kernel.sh perf)" $(CURDIR)/build/perf/initramfs.cpio \
		$(CURDIR)/build/perf/bench

# Fuzzes raoe's frame parser and rzram's attribute parsers for FUZZ_SECONDS each (default 60)
# with cargo-fuzz.
fuzz:
	@scripts/fuzz.sh parse_response
	@scripts/fuzz.sh parse_sysfs_text

clean:
	rm -rf build tests/tools/target rust/host/target rust/host/fuzz/target
