# Thin wrapper: install what is missing, configure, build, run or test.
PRESET ?= dev
BUILD_DIR := build/$(PRESET)
PACKAGES := $(shell grep -v '^\s*\#' packaging/debian-packages.txt | grep -v '^\s*$$')
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
FUZZ_SECONDS ?= 60

.PHONY: all deps build run test check check-asan check-tsan fuzz bench lint package clean

all: build

deps:
	@missing=$$(for p in $(PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "Installing missing packages:" $$missing; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi

build: deps
	cmake --preset $(PRESET)
	cmake --build --preset $(PRESET)

run: build
	$(BUILD_DIR)/app/loopscope

# Every test: the suites, the suites again under ASan+UBSan, the threaded ones under TSan, and
# each fuzzer for FUZZ_SECONDS.
test: check check-asan check-tsan fuzz

# The suites on the everyday build: the quick check while working.
check: build
	ctest --preset $(PRESET)

check-asan: deps
	cmake --preset asan
	cmake --build --preset asan
	ctest --preset asan

check-tsan: deps
	cmake --preset tsan
	cmake --build --preset tsan
	ctest --preset tsan

fuzz: deps
	cmake --preset fuzz
	cmake --build --preset fuzz
	tests/fuzz/run-fuzzers $(FUZZ_SECONDS)

# clang-tidy's chosen checks (.clang-tidy) over every production source; kept out of `make test`
# because it takes minutes on two cores and finds defects, not regressions of behaviour.
lint: deps
	cmake --preset lint > /dev/null
	run-clang-tidy -quiet -p build/lint -j $$(nproc) '^$(CURDIR)/(app|recording|server|visualizer)/.*\.cpp$$'

bench: build
	@for b in $(BUILD_DIR)/tests/bench/bench_*; do echo "== $$b"; $$b || exit 1; done

package: build
	cd $(BUILD_DIR) && cpack -G DEB

clean:
	rm -rf build
