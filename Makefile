# schoolstat — build, test and run the pipeline.
#
#   make deps report      install missing Debian packages, run the sample pipeline
#   make test             all tests: plain, ASan+UBSan, valgrind
#   make report INPUT=dir OUTPUT=dir
#
# Package flags are recursive variables on purpose: they are evaluated when a
# recipe runs, so `make deps report` works on a machine that had no -dev
# packages when make started.

INPUT  ?= data/sample
OUTPUT ?= output
SANITIZE ?=

CC ?= cc
V ?=
Q = $(if $(V),,@)
PKGS = gsl cairo pangocairo libcrypto libpng zlib
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lcsv -lm
CMOCKA_CFLAGS = $(shell pkg-config --cflags cmocka 2>/dev/null)
CMOCKA_LIBS = $(shell pkg-config --libs cmocka 2>/dev/null)

WARN = -Wall -Wextra -Werror -Wstrict-prototypes -Wmissing-prototypes \
       -Wwrite-strings -Wvla -fno-common
OPT ?= -O2 -g

# Each flavour builds in its own tree so plain and sanitized objects never mix.
ifeq ($(SANITIZE),)
BUILD ?= build
SAN_FLAGS =
else
BUILD ?= build-san
SAN_FLAGS = -fsanitize=address,undefined -fno-omit-frame-pointer \
            -fno-sanitize-recover=all
endif

CPPFLAGS_ALL = -Iinclude -D_POSIX_C_SOURCE=200809L
CFLAGS_ALL = -std=c11 $(WARN) $(OPT) $(SAN_FLAGS) -pthread -MMD -MP
LDFLAGS_ALL = $(SAN_FLAGS) -pthread

LIB_SRC := $(sort $(wildcard pipeline/lib/*.c))
LIB_OBJ := $(patsubst pipeline/lib/%.c,$(BUILD)/lib/%.o,$(LIB_SRC))
LIB := $(BUILD)/libschoolstat.a

STAGE_SRC := $(sort $(wildcard pipeline/*.c))
STAGES := $(patsubst pipeline/%.c,%,$(STAGE_SRC))
STAGE_BIN := $(patsubst %,$(BUILD)/bin/schoolstat-%,$(STAGES))

TOOL_SRC := $(sort $(wildcard tools/*.c))
TOOL_BIN := $(patsubst tools/%.c,$(BUILD)/tools/%,$(TOOL_SRC))

TEST_SRC := $(sort $(wildcard tests/test_*.c))
TEST_BIN := $(patsubst tests/%.c,$(BUILD)/tests/%,$(TEST_SRC))
E2E := $(sort $(wildcard tests/e2e_*.sh))

DEPS := $(LIB_OBJ:.o=.d) $(patsubst %,$(BUILD)/obj/%.d,$(STAGES)) \
        $(TEST_BIN:=.d) $(TOOL_BIN:=.d)

.PHONY: all deps report test test-unit test-e2e test-plain test-san valgrind \
        fuzz fuzz-regress bench clean distclean
.DEFAULT_GOAL := all
# Keep object files make would otherwise delete as intermediates.
.SECONDARY:

all: $(STAGE_BIN) $(TEST_BIN) $(TOOL_BIN)

$(BUILD)/lib/%.o: pipeline/lib/%.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CPPFLAGS_ALL) $(PKG_CFLAGS) $(CFLAGS_ALL) -c $< -o $@

$(LIB): $(LIB_OBJ)
	@mkdir -p $(@D)
	$(Q)rm -f $@
	$(Q)ar rcs $@ $^

$(BUILD)/obj/%.o: pipeline/%.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CPPFLAGS_ALL) $(PKG_CFLAGS) $(CFLAGS_ALL) -c $< -o $@

$(BUILD)/bin/schoolstat-%: $(BUILD)/obj/%.o $(LIB)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(CC) $(LDFLAGS_ALL) $< $(LIB) $(PKG_LIBS) -o $@

$(BUILD)/tests/%: tests/%.c $(LIB)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  TEST-CC $<")
	$(Q)$(CC) $(CPPFLAGS_ALL) $(PKG_CFLAGS) $(CMOCKA_CFLAGS) $(CFLAGS_ALL) \
	    $(LDFLAGS_ALL) $< $(LIB) $(PKG_LIBS) $(CMOCKA_LIBS) -o $@

$(BUILD)/tools/%: tools/%.c $(LIB)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  TOOL    $<")
	$(Q)$(CC) $(CPPFLAGS_ALL) $(PKG_CFLAGS) $(CFLAGS_ALL) $(LDFLAGS_ALL) \
	    $< $(LIB) $(PKG_LIBS) -o $@

# ---------------------------------------------------------------- benchmark
# National-scale exam data from the project's own generator; prints wall
# time, MB/s and peak memory (/usr/bin/time -v). Results go in README.md.
bench: $(TOOL_BIN) $(STAGE_BIN)
	BUILD=$(BUILD) sh tools/bench.sh

# ---------------------------------------------------------------- fuzzing
# libFuzzer through clang: each harness in tests/fuzz/ runs FUZZ_SECONDS on
# a working copy of its seed corpus (new inputs stay out of the tree);
# crashes are written to build-fuzz/ and belong, once fixed, in the seed
# corpus and the module's unit tests.
FUZZ_SECONDS ?= 300
FUZZ_SRC := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BIN := $(patsubst tests/fuzz/%.c,build-fuzz/%,$(FUZZ_SRC))
FUZZ_FLAGS = -fsanitize=fuzzer,address,undefined -g -O1 -std=c11 \
             -Iinclude -D_POSIX_C_SOURCE=200809L

build-fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(LIB_SRC)
	@mkdir -p $(@D)
	clang $(FUZZ_FLAGS) $(PKG_CFLAGS) $< $(LIB_SRC) $(PKG_LIBS) -o $@

fuzz: $(FUZZ_BIN)
	@set -e; for f in $(FUZZ_BIN); do \
	  name=$${f#build-fuzz/fuzz_}; work=build-fuzz/corpus_$$name; \
	  mkdir -p $$work; cp tests/fuzz/corpus_$$name/* $$work/ 2>/dev/null || true; \
	  echo "== $$f for $(FUZZ_SECONDS) s"; \
	  $$f -max_total_time=$(FUZZ_SECONDS) -artifact_prefix=build-fuzz/ $$work; \
	done

# Replays every seed (including past crashes) once: a quick regression run.
fuzz-regress: $(FUZZ_BIN)
	@set -e; for f in $(FUZZ_BIN); do \
	  name=$${f#build-fuzz/fuzz_}; $$f -runs=0 tests/fuzz/corpus_$$name; done

# ---------------------------------------------------------------- packages
DEBIAN_PACKAGES := $(shell grep -v '^\#' packages.txt | awk '{print $$1}')
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

deps:
	@missing=$$(for p in $(DEBIAN_PACKAGES); do \
	    dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; \
	  done); \
	if [ -n "$$missing" ]; then \
	  echo "installing:" $$missing; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	else echo "deps: all Debian packages present"; fi

# ---------------------------------------------------------------- pipeline
# Stages run through schoolstat-run, which reruns only what changed, holds
# OUTPUT.lock and publishes OUTPUT atomically (docs/CRON.md says why a
# driver and not make). CONFIG=FILE reads the settings from a config file.
report: $(STAGE_BIN)
	$(BUILD)/bin/schoolstat-run $(if $(CONFIG),--config "$(CONFIG)",--input "$(INPUT)" --output "$(OUTPUT)")

# ---------------------------------------------------------------- tests
test-unit: $(TEST_BIN)
	@set -e; for t in $(TEST_BIN); do echo "== $$t"; $$t; done

test-e2e: $(STAGE_BIN) $(TOOL_BIN)
	@set -e; for t in $(E2E); do echo "== $$t"; BUILD=$(BUILD) sh $$t; done

test-plain: test-unit test-e2e

# fontconfig's process-lifetime configuration is the only leak suppressed.
test-san:
	LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp:print_suppressions=0 \
	    $(MAKE) SANITIZE=1 test-plain

valgrind: $(TEST_BIN) $(STAGE_BIN)
	@set -e; for t in $(TEST_BIN); do echo "== valgrind $$t"; \
	  IND_TEST_REAL_COUNT=100000 valgrind -q --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite --show-leak-kinds=definite \
	    --suppressions=tests/valgrind.supp $$t >/dev/null; done
	BUILD=$(BUILD) VALGRIND=1 sh tests/valgrind-stages.sh

# The one command the README gives for "run all tests".
test:
	$(MAKE) test-plain
	$(MAKE) test-san
	$(MAKE) valgrind
	@echo "all test suites passed"

clean:
	rm -rf build build-san build-fuzz

distclean: clean
	find output -mindepth 1 ! -name README.md -exec rm -rf {} +

-include $(DEPS)
