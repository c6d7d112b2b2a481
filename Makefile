# copytrader: the front end to CMake. `make test` and `make demo` work on a fresh Debian 12 machine:
# they install what is missing first (scripts/install-deps.sh).

SHELL := /bin/bash
PREFIX ?= /usr/local
DESTDIR ?=
SYSCONFDIR ?= /etc
JOBS ?= $(shell nproc)
RELEASE_DIR := build/release
TEST_DIR := build/asan
CMAKE_COMMON := -G Ninja -DCMAKE_EXPORT_COMPILE_COMMANDS=ON

.PHONY: all build release-configure deps test demo fuzz fuzz-smoke bench soak install format lint clean

all: build

deps:
	@bash scripts/install-deps.sh

# The release build keeps line tables and function names (-g1): enough for a coredump's backtrace
# (coredumpctl) and for perf. Full -g (locals and types, for gdb) makes the build about a third
# slower (docs/performance.md, "make demo from a clean build"); RELEASE_DEBUG=-g gives it.
RELEASE_DEBUG ?= -g1
release-configure: deps
	cmake -S . -B $(RELEASE_DIR) $(CMAKE_COMMON) -DCMAKE_BUILD_TYPE=RelWithDebInfo \
		"-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O2 $(RELEASE_DEBUG) -DNDEBUG" -DCMAKE_INSTALL_PREFIX=$(PREFIX)

build: release-configure
	cmake --build $(RELEASE_DIR) -j $(JOBS)

# Every test tier that fits CI, built with AddressSanitizer and UndefinedBehaviorSanitizer.
# The container tier (systemd_container) runs the release copytraderd and projectx-sim under a real systemd.
test: release-configure
	cmake --build $(RELEASE_DIR) -j $(JOBS) --target copytraderd projectx-sim
	cmake -S . -B $(TEST_DIR) $(CMAKE_COMMON) -DCMAKE_BUILD_TYPE=Debug -DCOPYTRADER_SANITIZE=ON -DCOPYTRADER_WERROR=ON \
		-DCOPYTRADER_RELEASE_DIR=$(abspath $(RELEASE_DIR))
	cmake --build $(TEST_DIR) -j $(JOBS)
	cd $(TEST_DIR) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
		ctest --output-on-failure -j $(JOBS)
	@echo 'closing lines of every suite, and the fault totals (faults.md section 2):'
	@grep -h -E '^[a-z_]+( [^:]*)?: [0-9]+ passed, [0-9]+ failed$$|^faults injected' $(TEST_DIR)/Testing/Temporary/LastTest.log
	$(MAKE) --no-print-directory fuzz-smoke

# The product working: projectx-sim and copytraderd (release build) with etc/copytrader.demo.yaml, the
# leader driven through entries, drags, scale-ins, partial exits, reversals and flats. DEMO_TRADES=N
# bounds it (default 24, about fifteen seconds; beyond about 30 the leader waits for its followers'
# request budget, as copytraderd keeps each login within 180 a minute); exits 0 only if every
# follower stayed in sync. It prints the dashboard's address (http://127.0.0.1:28470/#token=...;
# DEMO_DASHBOARD_PORT=N for another port); DEMO_KEEP=1 keeps the daemon and the page up after the
# summary, until Ctrl-C.
# It builds only the four programs it runs (115 of the 177 translation units), not every test binary.
demo: release-configure
	cmake --build $(RELEASE_DIR) -j $(JOBS) --target copytraderd copytraderctl projectx-sim copytrader-demo
	$(RELEASE_DIR)/tests/copytrader-demo --sim $(RELEASE_DIR)/tests/projectx-sim \
		--daemon $(RELEASE_DIR)/daemon/copytraderd --config etc/copytrader.demo.yaml

FUZZ_DIR := build/fuzz
FUZZ_TARGETS := record_framer hub_message hub_event rest_decoders control_request
FUZZ_SECONDS ?= 300

$(FUZZ_DIR)/build.ninja:
	CXX=clang++ cmake -S . -B $(FUZZ_DIR) $(CMAKE_COMMON) -DCMAKE_BUILD_TYPE=Debug -DCOPYTRADER_FUZZ=ON \
		-DCOPYTRADER_TESTS=OFF -DCOPYTRADER_WERROR=OFF

# A short run of every fuzz target (part of make test); `make fuzz` runs each for FUZZ_SECONDS.
fuzz-smoke: deps $(FUZZ_DIR)/build.ninja
	cmake --build $(FUZZ_DIR) --target fuzz_targets -j $(JOBS)
	@set -e; for t in $(FUZZ_TARGETS); do \
		mkdir -p $(FUZZ_DIR)/corpus/$$t; \
		$(FUZZ_DIR)/tests/fuzz/fuzz_$$t -runs=20000 -max_len=4096 $(FUZZ_DIR)/corpus/$$t tests/fuzz/corpus/$$t \
			> $(FUZZ_DIR)/$$t.log 2>&1 || { tail -40 $(FUZZ_DIR)/$$t.log; echo "fuzz_$$t: FAILED"; exit 1; }; \
		echo "fuzz_$$t: 20000 runs, no crash"; \
	done; \
	echo "fuzz: $(words $(FUZZ_TARGETS)) passed, 0 failed"

fuzz: deps $(FUZZ_DIR)/build.ninja
	cmake --build $(FUZZ_DIR) --target fuzz_targets -j $(JOBS)
	@set -e; for t in $(FUZZ_TARGETS); do \
		mkdir -p $(FUZZ_DIR)/corpus/$$t; \
		$(FUZZ_DIR)/tests/fuzz/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) $(FUZZ_DIR)/corpus/$$t tests/fuzz/corpus/$$t; \
	done

# Figures, not pass/fail: the simulator's own cost, and copy latency over BENCH_FILLS leader fills in
# every shape a trader runs (docs/performance.md): FOLLOWERS:LOGINS:BRACKET, the followers under one
# login or each on its own (or 50 over 5), brackets fixed or mirrored; then 1 follower with the account
# guard and 1 while alerting. BENCH_PIN=pinned (the default where there are 2 cores or more) keeps the
# simulator and the engine on separate cores; BENCH_PIN= lets the scheduler place them.
BENCH_FILLS ?= 1000
BENCH_SHAPES ?= 1:1:fixed 1:1:mirror 10:1:fixed 10:1:mirror 10:10:fixed 10:10:mirror \
	50:1:fixed 50:1:mirror 50:50:fixed 50:50:mirror 50:5:fixed 50:5:mirror
BENCH_PIN ?= pinned
# A long seeded chaos run under the sanitizers: SOAK_RUNS seeds from SOAK_SEED, SOAK_STEPS steps each.
SOAK_RUNS ?= 50
SOAK_STEPS ?= 60
SOAK_SEED ?= 1
soak: deps
	cmake -S . -B $(TEST_DIR) $(CMAKE_COMMON) -DCMAKE_BUILD_TYPE=Debug -DCOPYTRADER_SANITIZE=ON -DCOPYTRADER_WERROR=ON
	cmake --build $(TEST_DIR) -j $(JOBS) --target fault_tests projectx-sim
	cd $(TEST_DIR) && COPYTRADER_CHAOS_RUNS=$(SOAK_RUNS) COPYTRADER_CHAOS_STEPS=$(SOAK_STEPS) \
		COPYTRADER_CHAOS_SEED=$(SOAK_SEED) tests/fault_tests '[chaos]'

BENCH_IDLE_SECONDS ?= 60
bench: build
	mkdir -p build/bench
	cd build/bench && ../release/bench/sim_load 50 1000 3
	@for shape in $(BENCH_SHAPES); do \
		IFS=: read n logins bracket <<< "$$shape"; \
		build/release/bench/copy_latency $$n $(BENCH_FILLS) build/bench/copy_latency_$${n}x$${logins}_$$bracket.json \
			logins=$$logins bracket=$$bracket $(BENCH_PIN) || exit 1; \
	done
	build/release/bench/copy_latency 1 $(BENCH_FILLS) build/bench/copy_latency_1x1_fixed_guarded.json guarded $(BENCH_PIN)
	build/release/bench/copy_latency 1 $(BENCH_FILLS) build/bench/copy_latency_1x1_fixed_alerting.json alerting $(BENCH_PIN)
	@# The same copies from a hub that writes one record per message (simulator switch coalesce_records off).
	build/release/bench/copy_latency 1 $(BENCH_FILLS) build/bench/copy_latency_1x1_mirror_one_record.json \
		bracket=mirror records=one $(BENCH_PIN)
	build/release/bench/copy_latency 10 $(BENCH_FILLS) build/bench/copy_latency_10x10_fixed_one_record.json \
		logins=10 records=one $(BENCH_PIN)
	build/release/bench/footprint 10 $(BENCH_IDLE_SECONDS) build/bench/footprint_10.json
	@echo 'figures (JSON): build/bench/copy_latency_FOLLOWERSxLOGINS_BRACKET[_guarded|_alerting|_one_record].json, footprint_10.json'

install: build
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib/systemd/system \
		$(DESTDIR)$(PREFIX)/share/doc/copytrader $(DESTDIR)$(SYSCONFDIR)/copytrader
	install -m 0755 $(RELEASE_DIR)/daemon/copytraderd $(DESTDIR)$(PREFIX)/bin/copytraderd
	install -m 0755 $(RELEASE_DIR)/daemon/copytraderctl $(DESTDIR)$(PREFIX)/bin/copytraderctl
	install -m 0755 $(RELEASE_DIR)/tests/projectx-sim $(DESTDIR)$(PREFIX)/bin/projectx-sim
	install -m 0755 scripts/copytrader-import-julie $(DESTDIR)$(PREFIX)/bin/copytrader-import-julie
	sed -e 's|/usr/local/bin/|$(PREFIX)/bin/|g' -e 's|/usr/local/share/|$(PREFIX)/share/|g' \
		-e 's|/etc/copytrader|$(SYSCONFDIR)/copytrader|g' systemd/copytraderd.service \
		> $(DESTDIR)$(PREFIX)/lib/systemd/system/copytraderd.service
	chmod 0644 $(DESTDIR)$(PREFIX)/lib/systemd/system/copytraderd.service
	install -m 0644 docs/*.md $(DESTDIR)$(PREFIX)/share/doc/copytrader/
	install -d -m 0700 $(DESTDIR)$(SYSCONFDIR)/copytrader/credentials
	@if [ -e $(DESTDIR)$(SYSCONFDIR)/copytrader/copytrader.yaml ]; then \
		echo "keeping the existing $(DESTDIR)$(SYSCONFDIR)/copytrader/copytrader.yaml"; \
	else \
		install -m 0644 etc/copytrader.yaml $(DESTDIR)$(SYSCONFDIR)/copytrader/copytrader.yaml; \
	fi

SOURCES = $(shell git ls-files '*.cpp' '*.hpp')

format:
	clang-format -i $(SOURCES)

# clang-tidy (naming and bug-prone checks, .clang-tidy) over lib/ and daemon/, using the test build's
# compile commands; and a clang-format check that changes nothing.
lint: deps
	cmake -S . -B $(TEST_DIR) $(CMAKE_COMMON) -DCMAKE_BUILD_TYPE=Debug -DCOPYTRADER_SANITIZE=ON >/dev/null
	clang-format --dry-run --Werror $(SOURCES)
	set -o pipefail; clang-tidy -p $(TEST_DIR) --quiet $(filter lib/% daemon/%,$(filter %.cpp,$(SOURCES))) 2>&1 \
		| { grep -v 'warnings generated' || true; }

clean:
	rm -rf build
