# lockstep: the two commands of README.md, and a few more.
#
#   make run    build if needed, then run the conformance corpus against the running kernel
#   make test   build if needed, then run every test (unit, property, proof, conformance, fuzz, vm)
#
# Each target runs scripts/setup first, which installs missing Debian packages.

BUILD ?= build
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=
CTEST_FLAGS ?=
# make run: how many generated traces run after the corpus, and their seed.
GENERATE ?= 10000
SEED ?= 1

.PHONY: all setup build run test bench clean

all: build

setup:
	@scripts/setup

$(BUILD)/build.ninja: CMakeLists.txt | setup
	cmake -S . -B $(BUILD) -G Ninja -DLOCKSTEP_WERROR=ON $(CMAKE_FLAGS)

build: setup $(BUILD)/build.ninja
	cmake --build $(BUILD) -j $(JOBS)

run: build
	$(BUILD)/tools/lockstep/lockstep run --generate $(GENERATE) --seed $(SEED) $(RUN_FLAGS)

test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) $(CTEST_FLAGS)

bench: build
	bench/run-bench --build $(BUILD) $(BENCH_FLAGS)

clean:
	rm -rf $(BUILD)

# The suite on the running kernel and in QEMU on Debian's kernels (6.1, 6.12,
# 7.2, 7.3), fetched into ~/.cache/lockstep/kernels with a private apt state:
# one KTAP stream (a subtest per kernel), then the matrix table.
# make vm-bench: seconds per kernel (boot, corpus, campaign) next to the host.
.PHONY: vm-fetch vm-matrix vm-bench
VM_TIMEOUT ?= 900
vm-fetch: setup
	vm-runner/lockstep-vm fetch

vm-matrix: build
	nice vm-runner/lockstep-vm run --host --series all --timeout $(VM_TIMEOUT) --payload $(BUILD)/tools/lockstep/lockstep $(VM_FLAGS)

vm-bench: build
	nice bench/bench-vm --build $(BUILD) $(VM_BENCH_FLAGS)

# Line coverage of security/landlock/*.c on the patched kernel's gcov flavour:
# lockstep's suite (corpus, 1000 generated traces, the supervisor stress and
# smoke) next to the kernel's own Landlock selftests, both in the same VM
# setup; prints the table (kernel/coverage/coverage, kernel/patches/README.md).
# The gcov kernel is built first (incremental when cached: 13 s measured).
.PHONY: coverage
coverage: build
	nice -n 5 kernel/build-kernel --flavour gcov >/dev/null
	nice -n 5 kernel/coverage/coverage --lockstep $(BUILD)/tools/lockstep/lockstep \
		--work $(BUILD)/coverage $(COVERAGE_FLAGS)
