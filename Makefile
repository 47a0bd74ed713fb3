# Two commands set everything up on a fresh Debian 12 machine:
#   make run    installs what is missing, builds, runs tocsind on config/examples/local.yaml
#   make test   installs the test servers too, builds, runs every test (unit, integration, fuzz)
BUILD      ?= build
FUZZ_BUILD ?= build-fuzz
CONFIG     ?= config/examples/local.yaml
JOBS       ?= $(shell nproc)
FUZZ_SECONDS ?= 20

.PHONY: all deps test-deps build run check-config test unit integration fuzz bench docs clean

all: build

deps:
	scripts/install-deps.sh build

test-deps:
	scripts/install-deps.sh test

$(BUILD)/build.ninja:
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo

build: deps $(BUILD)/build.ninja
	cmake --build $(BUILD) -j $(JOBS)

run: build
	mkdir -p var
	$(BUILD)/daemon/tocsind --check-config $(CONFIG)
	exec $(BUILD)/daemon/tocsind --config $(CONFIG)

check-config: build
	$(BUILD)/daemon/tocsind --check-config $(CONFIG)

test: test-deps build
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS) -LE fuzz
	$(MAKE) fuzz

unit: build
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS) -L unit

integration: build
	ctest --test-dir $(BUILD) --output-on-failure -L integration

# Coverage-guided fuzzing with libFuzzer (clang, ASan, UBSan), each target for
# FUZZ_SECONDS on its seed corpus.
fuzz: test-deps
	cmake -S . -B $(FUZZ_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ -DTOCSIN_FUZZ=ON -DTOCSIN_BENCH=OFF \
	  -DTOCSIN_FUZZ_SECONDS=$(FUZZ_SECONDS)
	cmake --build $(FUZZ_BUILD) -j $(JOBS) --target fuzz_all
	ctest --test-dir $(FUZZ_BUILD) --output-on-failure -j $(JOBS) -L fuzz

bench: build
	scripts/install-deps.sh bench
	BUILD=$(BUILD) bench/syslog_vs_rsyslog.sh
	bench/snmp_vs_snmptrapd.sh $(BUILD)
	BUILD=$(BUILD) bench/http_vs_alertmanager.sh
	BUILD=$(BUILD) bench/mqtt_vs_mosquitto_sub.sh
	$(BUILD)/bench/cmdb_bench

docs: build
	$(BUILD)/daemon/tocsind --config-reference > docs/config.md

clean:
	rm -rf $(BUILD) $(FUZZ_BUILD)
