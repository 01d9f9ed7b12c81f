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

# The suite in QEMU on Debian's kernels (6.1, 6.12, 7.2, 7.3), fetched into
# ~/.cache/lockstep/kernels with a private apt state.
.PHONY: vm-fetch vm-matrix
vm-fetch: setup
	vm-runner/lockstep-vm fetch

vm-matrix: build
	vm-runner/lockstep-vm run --series all --payload $(BUILD)/tools/lockstep/lockstep $(VM_FLAGS)
