# Findling — German full-text search for websites and their archives.
#
#   make            build build/findling
#   make run        install deps, build, index the example site and serve it
#   make test       install deps, build normally and with ASan+UBSan, run the suite
#   make bench      benchmarks (needs ../shared for the laws corpus)
#   make eval       relevance on the judged queries in ../shared/eval
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
            wrk

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
LIB_CXX_SRCS := $(sort $(wildcard xapian-c/*.cc))
CLI_SRCS := $(sort $(wildcard cli/*.c))
TEST_SRCS := $(sort $(wildcard tests/unit/test_*.c))
# Generated C sources (e.g. the widget files embedded into the binary).
GEN_SRCS := $(BUILD)/gen/widget_assets.c
WIDGET_FILES := $(sort $(wildcard query/widget/*))

.PHONY: all deps test test-only run bench eval install clean asan help fmt-check soak

all: $(BUILD)/findling

help:
	@sed -n '3,15p' Makefile

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

# ------------------------------------------------------------------ build rules
# $(1) = build dir, $(2) = extra flags
define build_tree
$(1)/obj/%.o: %.c $(wildcard include/*.h) | $(1)/.dir
	@mkdir -p $$(dir $$@)
	$$(CC) $$(ALL_CFLAGS) $(2) -c $$< -o $$@

$(1)/obj/%.o: %.cc $(wildcard include/*.h) | $(1)/.dir
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

$(1)/tests/%: tests/unit/%.c $(1)/libfindling.a tests/lib/tap.h
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

# ------------------------------------------------------------------ tests
# Both builds, both suites; the last line is "N passed, N failed".
test: deps
	@$(MAKE) --no-print-directory -j2 $(BUILD)/findling $(call TEST_BINS,$(BUILD))
	@$(MAKE) --no-print-directory -j2 $(ASAN_BUILD)/findling $(call TEST_BINS,$(ASAN_BUILD)) CFLAGS="-O1 -g"
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1 \
	  tests/run-tests.sh $(BUILD) $(ASAN_BUILD)

# Just run the suite on the normal build (no deps, no sanitizers): development.
test-only: $(BUILD)/findling $(call TEST_BINS,$(BUILD))
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
bench: deps $(BUILD)/findling
	@sh bench/run.sh $(BUILD)

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
