# SPDX-License-Identifier: GPL-2.0
# raoe + rzram: Rust AoE initiator and compressed RAM swap device, with their QEMU harness.
# Every target installs what it needs (scripts/bootstrap.sh) and caches the toolchain and the
# kernels outside the clone (~/.cache/raoe-rzram, or $RAOE_CACHE).

FLAVOR  ?= debug
DRIVERS ?= both
SUITES  ?=
BUILD   := $(CURDIR)/build/$(FLAVOR)
RESULTS ?= $(BUILD)/results
MODULES := $(BUILD)/modules/raoe.ko $(BUILD)/modules/rzram.ko
KDIR     = $$(scripts/build-kernel.sh $(FLAVOR))
INITRD  := $(BUILD)/initramfs.cpio
# --bench: the bench guest's extra tools (fio); `make bench` sets it.
INITRAMFS_FLAGS ?=

.PHONY: all bootstrap kernel modules tools check initramfs test run soak bench fuzz clean

all: modules

bootstrap:
	@scripts/bootstrap.sh

kernel: bootstrap
	@scripts/build-kernel.sh $(FLAVOR) >/dev/null

# The kernel's Rust lints are errors (CLIPPY=1 W=e); see scripts/kmake.sh.
modules: kernel
	@scripts/kmake.sh $(FLAVOR) modules

tools: bootstrap
	@scripts/host-rust.sh build

check: modules tools
	@scripts/check.sh

initramfs: modules tools
	@scripts/mkinitramfs.sh $(INITRAMFS_FLAGS) "$(KDIR)" $(INITRD) $(MODULES) >/dev/null

# Host unit tests, then one guest per (suite, driver); the last line is "N passed, N failed".
test: check initramfs
	@rm -rf $(RESULTS) && mkdir -p $(RESULTS)
	@scripts/host-rust.sh test $(RESULTS)
	@scripts/run-tests.sh "$(KDIR)/arch/x86/boot/bzImage" $(INITRD) $(RESULTS) $(DRIVERS) $(SUITES)
	@scripts/parse-results.py $(RESULTS)

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
		SOAK_SECONDS=$(SOAK_SECONDS) SOAK_LOSS=$(SOAK_LOSS) SOAK_LOOPS=$(SOAK_LOOPS)
	@grep -h 'soak summary' -A1 $(BUILD)/soak/soak-rust.log | head -n 2
	@scripts/parse-results.py $(BUILD)/soak

# Rust vs C side by side on the perf kernel; speed is reported (docs/benchmarks.md), never asserted.
bench:
	@$(MAKE) --no-print-directory FLAVOR=perf INITRAMFS_FLAGS=--bench initramfs
	@scripts/bench.sh "$$(scripts/build-kernel.sh perf)" $(CURDIR)/build/perf/initramfs.cpio \
		$(CURDIR)/build/perf/bench

# Fuzzes the drivers' frame parser for FUZZ_SECONDS (default 60) with cargo-fuzz.
fuzz:
	@scripts/fuzz.sh

clean:
	rm -rf build tests/tools/target rust/host/target rust/host/fuzz/target
