# Thin wrapper: install what is missing, configure, build, run or test.
PRESET ?= dev
BUILD_DIR := build/$(PRESET)
PACKAGES := $(shell grep -v '^\s*\#' packaging/debian-packages.txt | grep -v '^\s*$$')
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: all deps build run test bench package clean

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

test: build
	ctest --preset $(PRESET) --timeout 600

bench: build
	@for b in $(BUILD_DIR)/tests/bench/bench_*; do echo "== $$b"; $$b || exit 1; done

package: build
	cd $(BUILD_DIR) && cpack -G DEB

clean:
	rm -rf build
