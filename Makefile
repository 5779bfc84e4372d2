# Findling — German full-text search for websites and their archives.
#
#   make            build build/findling
#   make run        install deps, build, index the example site and serve it
#   make test       install deps, build normally and with ASan+UBSan, run the suite
#   make bench      benchmarks (needs ../shared for the laws corpus);
#                   make bench BENCH="analysis query" runs only those sections
#   make eval       relevance on the judged queries in ../shared/eval
#   make fuzz       libFuzzer+ASan+UBSan on every parser, FUZZ_SECONDS (60) each
#   make valgrind   the whole suite under valgrind memcheck (slow, ~40 min)
#   make soak       10 minutes of wrk load while reindexing (SOAK_SECONDS=N)
#   make install    copy the binary to $(DESTDIR)$(PREFIX)/bin
#
# Sources are found by wildcard: a new .c file in common/, stemmers/,
# indexer/ or query/ joins the library; tests/unit/test_*.c each become a
# test program.

VERSION := 0.1.0
PREFIX ?= /usr/local
CC ?= cc
CXX ?= c++
BUILD ?= build
ASAN_BUILD := $(BUILD)/asan

PKGS := xapian-core yaml-0.1 md4c libmicrohttpd libutf8proc zlib
# Debian packages the build, the tests and the demo need (make deps).
DEB_PKGS := gcc g++ make pkg-config libxapian-dev libyaml-dev libmd4c-dev \
            libmicrohttpd-dev libutf8proc-dev zlib1g-dev wngerman xapian-tools python3 curl jq \
            clang libclang-rt-14-dev valgrind wrk
# The peers and tools `make bench` measures against (make bench-deps).
BENCH_DEB_PKGS := time wrk xapian-omega postgresql

PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS = $(shell pkg-config --libs $(PKGS) 2>/dev/null)

WARN := -Wall -Wextra -Werror
CPPFLAGS_ALL := -Iinclude -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L \
                -DFL_VERSION='"$(VERSION)"'
CFLAGS ?= -O2 -g
CXXFLAGS ?= -O2 -g
ALL_CFLAGS = -std=c11 $(WARN) $(CPPFLAGS_ALL) $(PKG_CFLAGS) $(CFLAGS) $(EXTRA_CFLAGS)
ALL_CXXFLAGS = -std=c++17 $(WARN) $(CPPFLAGS_ALL) $(PKG_CFLAGS) $(CXXFLAGS) $(EXTRA_CFLAGS)
LDLIBS_ALL = $(PKG_LIBS) -lpthread -lm $(LDLIBS)

LIB_C_SRCS := $(sort $(wildcard common/*.c stemmers/*.c indexer/*.c query/*.c))
# Every object depends on every header, the modules' internal ones too
# (query/search_int.h): a struct changed there must recompile all its users.
HEADERS := $(wildcard include/*.h query/*.h)
LIB_CXX_SRCS := $(sort $(wildcard xapian-c/*.cc))
CLI_SRCS := $(sort $(wildcard cli/*.c))
TEST_SRCS := $(sort $(wildcard tests/unit/test_*.c))
# Generated C sources (e.g. the widget files embedded into the binary).
GEN_SRCS := $(BUILD)/gen/widget_assets.c
WIDGET_FILES := $(sort $(wildcard query/widget/*))

.PHONY: all deps bench-deps test test-only run bench bench-tools eval install clean asan help fmt-check \
        fuzz fuzz-build valgrind soak

all: $(BUILD)/findling

help:
	@sed -n '3,17p' Makefile

# ------------------------------------------------------------------ packages
# apt-get update once, then install only what is missing (root, or via sudo).
deps:
	@missing=""; for p in $(DEB_PKGS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "make deps: installing$$missing"; \
	  SUDO=""; [ "$$(id -u)" -ne 0 ] && SUDO=sudo; \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing >/dev/null || exit 1; \
	fi

# Best effort: a bench section whose tool is missing says so and is skipped.
bench-deps:
	-@$(MAKE) --no-print-directory deps DEB_PKGS="$(BENCH_DEB_PKGS)" </dev/null

# ------------------------------------------------------------------ build rules
# $(1) = build dir, $(2) = extra flags
define build_tree
$(1)/obj/%.o: %.c $(HEADERS) | $(1)/.dir
	@mkdir -p $$(dir $$@)
	$$(CC) $$(ALL_CFLAGS) $(2) -c $$< -o $$@

$(1)/obj/%.o: %.cc $(HEADERS) | $(1)/.dir
	@mkdir -p $$(dir $$@)
	$$(CXX) $$(ALL_CXXFLAGS) $(2) -c $$< -o $$@

$(1)/obj/gen/%.o: $(BUILD)/gen/%.c | $(1)/.dir
	@mkdir -p $$(dir $$@)
	$$(CC) $$(ALL_CFLAGS) $(2) -c $$< -o $$@

$(1)/libfindling.a: $(patsubst %.c,$(1)/obj/%.o,$(LIB_C_SRCS)) $(patsubst %.cc,$(1)/obj/%.o,$(LIB_CXX_SRCS)) $(1)/obj/gen/widget_assets.o
	@rm -f $$@
	ar rcs $$@ $$^

$(1)/findling: $(patsubst %.c,$(1)/obj/%.o,$(CLI_SRCS)) $(1)/libfindling.a
	$$(CXX) $(2) -o $$@ $$^ $$(LDLIBS_ALL)

$(1)/tests/%: tests/unit/%.c $(1)/libfindling.a $(wildcard tests/lib/*.h) $(HEADERS)
	@mkdir -p $$(dir $$@)
	$$(CC) $$(ALL_CFLAGS) $(2) -Itests/lib -o $$@.o -c $$<
	$$(CXX) $(2) -o $$@ $$@.o $(1)/libfindling.a $$(LDLIBS_ALL)
	@rm -f $$@.o

$(1)/.dir:
	@mkdir -p $(1)
	@touch $$@
endef

SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
$(eval $(call build_tree,$(BUILD),))
$(eval $(call build_tree,$(ASAN_BUILD),$(SAN_FLAGS)))

$(BUILD)/gen/widget_assets.c: tools/embed.sh $(WIDGET_FILES)
	@mkdir -p $(dir $@)
	sh tools/embed.sh $@ $(WIDGET_FILES)

TEST_BINS = $(patsubst tests/unit/%.c,$(1)/tests/%,$(TEST_SRCS))

asan: $(ASAN_BUILD)/findling $(call TEST_BINS,$(ASAN_BUILD))

# ------------------------------------------------------------------ fuzzing
# libFuzzer targets (tests/fuzz/fuzz_NAME.c) need clang: the library is
# compiled a third time, by clang with coverage instrumentation, ASan and
# UBSan, into $(FUZZ_BUILD)/obj; each target links only the objects it uses.
FUZZ_BUILD := $(BUILD)/fuzz
FUZZ_CC ?= clang
FUZZ_CXX ?= clang++
FUZZ_SECONDS ?= 60
FUZZ_SRCS := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BINS := $(patsubst tests/fuzz/%.c,$(FUZZ_BUILD)/%,$(FUZZ_SRCS))
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
$(eval $(call build_tree,$(FUZZ_BUILD),$(FUZZ_SAN) -fsanitize=fuzzer-no-link))
# Everything under $(FUZZ_BUILD) is clang's (the library must build warning-free
# with both compilers).
$(FUZZ_BUILD)/%: CC := $(FUZZ_CC)
$(FUZZ_BUILD)/%: CXX := $(FUZZ_CXX)
$(FUZZ_BUILD)/%: CFLAGS := -O1 -g
$(FUZZ_BUILD)/%: CXXFLAGS := -O1 -g

$(FUZZ_BUILD)/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_BUILD)/libfindling.a $(wildcard tests/fuzz/*.h tests/lib/*.h)
	$(CC) $(ALL_CFLAGS) $(FUZZ_SAN) -fsanitize=fuzzer -Itests/lib -Itests/fuzz -c $< -o $@.o
	$(CXX) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $@.o $(FUZZ_BUILD)/libfindling.a $(LDLIBS_ALL)
	@rm -f $@.o

fuzz-build: $(FUZZ_BINS)

# True when $(FUZZ_CC) can link a libFuzzer program (clang + its runtime).
FUZZ_PROBE = printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { (void)d; return (int)n * 0; }\n' | \
  $(FUZZ_CC) -fsanitize=fuzzer -x c - -o /dev/null >/dev/null 2>&1

# Each target for FUZZ_SECONDS on its seeds (tests/fuzz/corpus/NAME) and
# regression inputs (tests/fuzz/regress/NAME); new inputs go to
# $(FUZZ_BUILD)/corpus/NAME, crashes to $(FUZZ_BUILD)/crashes/NAME.
# FUZZ_ONLY=name limits it to one target.
fuzz: deps
	@$(MAKE) --no-print-directory -j2 fuzz-build
	@sh tests/fuzz/run.sh $(FUZZ_BUILD) $(FUZZ_SECONDS) $(FUZZ_ONLY)

# ------------------------------------------------------------------ valgrind
# The unit tests and every integration script under memcheck on the normal
# build (valgrind and ASan don't mix).  VALGRIND_TESTS: only these scripts.
VALGRIND_TESTS ?=
valgrind: deps
	@$(MAKE) --no-print-directory -j2 $(BUILD)/findling $(call TEST_BINS,$(BUILD))
	@bash tests/valgrind.sh $(BUILD) $(VALGRIND_TESTS)

# ------------------------------------------------------------------ tests
# Both builds, both suites; the last line is "N passed, N failed".
test: deps
	@$(MAKE) --no-print-directory -j2 $(BUILD)/findling $(call TEST_BINS,$(BUILD)) \
	  $(BUILD)/bench-bin/gen_archive
	@$(MAKE) --no-print-directory -j2 $(ASAN_BUILD)/findling $(call TEST_BINS,$(ASAN_BUILD)) CFLAGS="-O1 -g"
	@if $(FUZZ_PROBE); then \
	  $(MAKE) --no-print-directory -j2 fuzz-build; \
	else echo "make test: no libFuzzer ($(FUZZ_CC) -fsanitize=fuzzer): fuzz targets skipped"; fi
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1 \
	  tests/run-tests.sh $(BUILD) $(ASAN_BUILD)

# Just run the suite on the normal build (no deps, no sanitizers): development.
test-only: $(BUILD)/findling $(call TEST_BINS,$(BUILD)) $(BUILD)/bench-bin/gen_archive
	@tests/run-tests.sh $(BUILD)

# ------------------------------------------------------------------ demo
RUN_DB := $(BUILD)/example.db
RUN_LISTEN ?= 127.0.0.1:8080
# `findling index` exits 1 when it committed but skipped some files: still fine for the demo.
run: deps
	@$(MAKE) --no-print-directory -j2 $(BUILD)/findling
	$(BUILD)/findling index --db $(RUN_DB) examples/site || [ $$? -eq 1 ]
	$(BUILD)/findling search --db $(RUN_DB) --limit 3 "Bürger*innen" || true
	@echo "Open http://$(RUN_LISTEN)/ for the demo search page (Ctrl-C stops the server)"
	$(BUILD)/findling serve --db $(RUN_DB) --listen $(RUN_LISTEN)

# ------------------------------------------------------------------ measurements
# Benchmark programs (bench/*.c, not part of the library) into $(BUILD)/bench-bin/.
BENCH_UTIL := bench/benchutil.c
BENCH_TOOLS := $(patsubst bench/%.c,$(BUILD)/bench-bin/%,$(filter-out $(BENCH_UTIL),$(sort $(wildcard bench/*.c))))
bench-tools: $(BENCH_TOOLS)

.PRECIOUS: $(BUILD)/bench-bin/obj/%.o
$(BUILD)/bench-bin/obj/%.o: bench/%.c bench/benchutil.h $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Ibench -c $< -o $@

$(BUILD)/bench-bin/%: $(BUILD)/bench-bin/obj/%.o $(BUILD)/bench-bin/obj/benchutil.o $(BUILD)/libfindling.a
	$(CXX) -o $@ $^ $(LDLIBS_ALL)

# A tool that does not build yet (its module has not landed) only skips the
# sections that need it: bench/run.sh says which.
bench: deps bench-deps $(BUILD)/findling
	@$(MAKE) --no-print-directory -k bench-tools || \
	  echo "make bench: some bench tools did not build; the sections needing them will be skipped"
	@sh bench/run.sh $(BUILD) $(BENCH)

eval: deps $(BUILD)/findling
	@sh tests/eval.sh $(BUILD)

# Load soak (tests/soak.sh): SOAK_SECONDS (600), SOAK_REINDEX_EVERY (30),
# SOAK_CORPUS (laws when ../shared has them, else example).
soak: deps $(BUILD)/findling
	@FINDLING=$(abspath $(BUILD))/findling bash tests/soak.sh

install: $(BUILD)/findling
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 755 $(BUILD)/findling $(DESTDIR)$(PREFIX)/bin/findling

clean:
	rm -rf $(BUILD)
