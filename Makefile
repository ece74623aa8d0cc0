# Thin wrappers; CMake does the work. `make run` and `make test` set up a fresh Debian 12 machine.
BUILD_DIR ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS ?= $(shell nproc)
CMAKE_ARGS ?=
CCACHE := $(shell command -v ccache 2>/dev/null)
export CCACHE_SLOPPINESS := pch_defines,time_macros,include_file_mtime,include_file_ctime

.PHONY: all setup setup-app data data-app configure build build-app run train test bench package e2e fuzz test-asan clean

all: build

setup:
	bash scripts/setup.sh

# What `make run` needs: the application's packages and MNIST (not the tests' PyTorch, Chromium,
# Slurm, ONNX Runtime and Node.js tools, which `make test` installs).
setup-app:
	bash scripts/setup.sh --app

data-app: setup-app
	bash scripts/fetch-data.sh

data: setup data-app
	bash scripts/fetch-onnxruntime.sh
	bash scripts/fetch-node-tools.sh

configure: setup-app
	cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) \
	  $(if $(CCACHE),-DCMAKE_CXX_COMPILER_LAUNCHER=$(CCACHE)) $(CMAKE_ARGS)

build: setup configure
	cmake --build $(BUILD_DIR) -j $(JOBS)

# The window and the CLI only: a first `make run` does not wait for the tests (`make test` builds them).
build-app: configure
	cmake --build $(BUILD_DIR) -j $(JOBS) --target mnist-studio mnist-train

# The desktop application, with MNIST and LeNet ready (or the last session's set-up): one click on Train.
run: data-app build-app
	$(BUILD_DIR)/app/mnist-studio

# The notebook's first model from the headless CLI.
train: data build
	$(BUILD_DIR)/app/mnist-train --arch LeNet --epochs 10 --batch-size 100 --lr 1e-2

test: data build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

# The real window under Xvfb, driven with xdotool: recipe, Train, exports, checks (about a minute).
e2e: build
	bash scripts/e2e.sh $(BUILD_DIR)

bench: data build
	$(BUILD_DIR)/bench/mnist-bench
	bash bench/peer-compare.sh $(BUILD_DIR)
	bash bench/gui-cost.sh $(BUILD_DIR) 2
	bash bench/data-load.sh $(BUILD_DIR)
	bash bench/run-index.sh $(BUILD_DIR)

# A Debian package (build/mnist-studio_<version>_amd64.deb), then checks it unpacked in a throwaway root.
package: build
	cd $(BUILD_DIR) && cpack -G DEB
	bash scripts/check-package.sh $$(ls -t $(BUILD_DIR)/mnist-studio_*.deb | head -n1)

# libFuzzer targets (clang, build-fuzz/) for the IDX, safetensors, config and run-folder readers, each
# run for FUZZ_SECONDS (default 60); fails on a finding. See docs/reliability.md "Fuzzing and sanitizers".
fuzz: setup
	JOBS=$(JOBS) bash scripts/fuzz.sh

# Core, CLI and core tests with AddressSanitizer + UndefinedBehaviorSanitizer (CMakePresets.json,
# build-asan/), then the whole core suite.
test-asan: data
	cmake --preset asan $(if $(CCACHE),-DCMAKE_CXX_COMPILER_LAUNCHER=$(CCACHE))
	cmake --build --preset asan -j $(JOBS)
	@start=$$(date +%s); ctest --preset asan -j $(JOBS); rc=$$?; \
	  echo "test-asan: core suite took $$(( $$(date +%s) - start )) s"; exit $$rc

clean:
	rm -rf $(BUILD_DIR)
