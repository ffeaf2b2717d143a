# cmcd top-level Makefile: the two commands a newcomer needs are `make run` and `make test`.
BUILD     ?= build
JOBS      ?= $(shell nproc)
DEMO_DIR  ?= demo
LISTEN    ?= 127.0.0.1:8080
CMAKE_FLAGS ?= -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMC_WERROR=ON

# Debian 12 packages the build, the tests and the benchmark need. `deps` installs only the
# missing ones, so a machine that has them all never calls apt-get.
DEB_PKGS = build-essential cmake pkg-config openssl libssl-dev \
           libcurl4-openssl-dev curl libsqlite3-dev sqlite3 libcmocka-dev python3 \
           python3-pyasn1 python3-pyasn1-modules python3-cryptography groff-base man-db

.PHONY: all deps build run test bench unit fuzz clean
all: build

deps:
	@missing=""; for p in $(DEB_PKGS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "make deps: installing$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	else echo "make deps: all packages present"; fi

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) $(CMAKE_FLAGS)

build: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

# First run creates a demo CA (open profile: anything with a valid proof of possession is
# issued) in $(DEMO_DIR); later runs serve the same CA.
run: build
	@if [ ! -f $(DEMO_DIR)/cmcd.cnf ]; then \
	  $(BUILD)/tools/cmc ca init --dir $(DEMO_DIR) --subject "/CN=cmcd demo CA" --key-type ec:P-256 --demo; \
	fi
	$(BUILD)/tools/cmcd --config $(DEMO_DIR)/cmcd.cnf --listen $(LISTEN)

test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

unit: build
	cd $(BUILD) && ctest --output-on-failure -L unit

bench: build
	$(BUILD)/tools/cmc-bench --all

# Fuzzing campaign: every libFuzzer target under ASan+UBSan, FUZZ_SECONDS each, FUZZ_JOBS at
# once (tools/fuzz/campaign.sh prints executions, coverage and findings per target).
FUZZ_BUILD   ?= build-fuzz
FUZZ_SECONDS ?= 1800
FUZZ_JOBS    ?= 2
FUZZ_TARGETS ?=
fuzz: deps
	@command -v clang >/dev/null || { echo "make fuzz needs clang (apt-get install clang)"; exit 1; }
	[ -f $(FUZZ_BUILD)/CMakeCache.txt ] || CC=clang CFLAGS=-fsanitize=fuzzer-no-link \
	  cmake -S . -B $(FUZZ_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMC_FUZZ=ON -DCMC_ASAN=ON
	cmake --build $(FUZZ_BUILD) -j $(JOBS)
	tools/fuzz/campaign.sh $(FUZZ_BUILD) $(FUZZ_SECONDS) $(FUZZ_JOBS) $(FUZZ_TARGETS)

clean:
	rm -rf $(BUILD)
