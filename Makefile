# Makefile - build, test, coverage and benchmarks of hwpsim (GNU make).
#
#   make            check the build dependencies, build build/hwpsim and
#                   build/unit-tests
#   make test       everything, then tests/run-all.sh (unit tests, the
#                   scenario catalogue, both under Valgrind)
#   make help       the full list of targets and variables
#
# Every output goes under build/ (BUILDDIR), so `make clean` is `rm -rf build`
# and a second configuration (coverage, a sanitizer build) is just another
# BUILDDIR with other flags:
#   make BUILDDIR=build/asan EXTRA_CFLAGS='-fsanitize=address,undefined'

# Built-in implicit rules only slow make down and can surprise (e.g. a stray
# `main` target); a half-written output must never look up to date.
MAKEFLAGS += --no-builtin-rules --no-builtin-variables --no-print-directory
.SUFFIXES:
.DELETE_ON_ERROR:
.DEFAULT_GOAL := all
SHELL := /bin/bash

# `make clean all` (or `clean test`...) under -j would remove build/ while
# the other goals fill it: run such a command line serially.
ifneq ($(filter clean,$(MAKECMDGOALS)),)
.NOTPARALLEL:
endif

# All paths below are relative to the repository root.  Running make from
# elsewhere with -f would silently build nothing useful, so refuse it.
ROOT := $(realpath $(dir $(lastword $(MAKEFILE_LIST))))
ifneq ($(ROOT),$(realpath $(CURDIR)))
$(error run make in $(ROOT) (or make -C $(ROOT)), not in $(CURDIR))
endif

# ---------------------------------------------------------------------------
# Configuration.  Command-line overrides: CC, CFLAGS (warnings and
# optimisation), LDFLAGS, and the EXTRA_* variables, which are added after the
# defaults so a sanitizer or profiling build need not repeat them.

BUILDDIR      := build
OBJDIR        := $(BUILDDIR)/obj
GENDIR        := $(BUILDDIR)/gen

CC            = cc
AR            = ar
CFLAGS        = -Wall -Wextra -Werror -O2 -g
LDFLAGS       =
EXTRA_CFLAGS  =
EXTRA_LDFLAGS =
EXTRA_LIBS    =

# gio-2.0 is needed beside glib-2.0: the code glib-compile-resources
# generates for the embedded Lua library uses GResource, which lives in gio.
PKGS          := glib-2.0 gio-2.0 lua5.4 yaml-0.1

# pkg-config is asked lazily, on first use inside a recipe, and only once:
# on a fresh machine it is not installed yet when make reads this file - the
# `deps` target, which every compile waits for, installs it first.  And
# `make clean` or `make help` never need it at all.
pkg = $(if $(shell pkg-config --exists $2 2>/dev/null && echo ok),$(shell pkg-config $1 $2),$(error pkg-config cannot find some of: $2 - run `make deps`))
PKG_CFLAGS    = $(eval PKG_CFLAGS := $$(call pkg,--cflags,$(PKGS)))$(PKG_CFLAGS)
PKG_LIBS      = $(eval PKG_LIBS := $$(call pkg,--libs,$(PKGS)))$(PKG_LIBS)
CHECK_CFLAGS  = $(eval CHECK_CFLAGS := $$(call pkg,--cflags,check))$(CHECK_CFLAGS)
CHECK_LIBS    = $(eval CHECK_LIBS := $$(call pkg,--libs,check))$(CHECK_LIBS)

# -std and the include paths are not part of CFLAGS: overriding CFLAGS to
# change warnings or optimisation must not break the build.
COMPILE = $(CC) -std=gnu11 $(CFLAGS) -I. -I$(GENDIR) $(PKG_CFLAGS) $(EXTRA_CFLAGS)
# CFLAGS go to the link too, so -fsanitize=... or --coverage given once in
# CFLAGS/EXTRA_CFLAGS also reach the linker.
LINK    = $(CC) $(CFLAGS) $(EXTRA_CFLAGS) $(LDFLAGS) $(EXTRA_LDFLAGS)
LDLIBS  = $(PKG_LIBS) -lm $(EXTRA_LIBS)

# The unit tests of the runner spawn the real program, wherever the tree is.
BIN           := $(BUILDDIR)/hwpsim
TEST_DEFS      = -DHWPSIM_BIN='"$(abspath $(BIN))"' -DHWPSIM_SRCDIR='"$(CURDIR)"'

# ---------------------------------------------------------------------------
# Quiet output: "  CC sim/prng.c"; V=1 prints the full commands instead.

V ?= 0
ifeq ($(V),1)
Q   :=
say  = @:
else
Q   := @
say  = @printf '  %-6s %s\n' '$(1)' '$(2)'
endif

# ---------------------------------------------------------------------------
# Sources.  Wildcards, sorted, so a new file needs no edit here and the
# archive member order does not depend on the directory order on disk.

SRCS       := $(sort $(wildcard sim/*.c mm-model/*.c hwpoison/*.c lua/*.c cli/*.c))
MAIN_SRC   := cli/main.c
LIB_SRCS   := $(filter-out $(MAIN_SRC),$(SRCS))
LUA_LIBS   := $(sort $(wildcard lua/lib/*.lua))

UNIT_MAIN  := tests/unit/main.c
UNIT_SRCS  := $(sort $(filter-out $(UNIT_MAIN),$(wildcard tests/unit/*.c)))
BENCH_SRCS := $(sort $(wildcard bench/*.c))

obj = $(patsubst %.c,$(OBJDIR)/%.o,$(1))
# $(call shquote,TEXT): TEXT as one single-quoted shell word.
shquote = '$(subst ','\'',$(1))'

RES_XML    := $(GENDIR)/hwp.gresource.xml
RES_C      := $(GENDIR)/hwp-resources.c
RES_H      := $(GENDIR)/hwp-resources.h
RES_OBJ    := $(OBJDIR)/gen/hwp-resources.o
SUITES_H   := $(GENDIR)/suites.h

LIB_OBJS   := $(call obj,$(LIB_SRCS)) $(RES_OBJ)
MAIN_OBJ   := $(call obj,$(MAIN_SRC))
UNIT_OBJS  := $(call obj,$(UNIT_SRCS) $(UNIT_MAIN))
BENCH_OBJS := $(call obj,$(BENCH_SRCS))
ALL_OBJS   := $(LIB_OBJS) $(MAIN_OBJ) $(UNIT_OBJS) $(BENCH_OBJS)

LIB        := $(BUILDDIR)/libhwpsim.a
UNIT_BIN   := $(BUILDDIR)/unit-tests
# One program per bench/bench_NAME.c: build/bench-NAME.
BENCH_BINS := $(patsubst bench/bench_%.c,$(BUILDDIR)/bench-%,$(BENCH_SRCS))

# The object holding the embedded Lua files is in the library, as asked, but
# is also named on every link line: a static archive member is only pulled
# in when something references one of its symbols, and code that looks the
# files up by path (g_resources_lookup_data) does not.  Naming it explicitly
# keeps /hwpsim/lua/*.lua present whatever the Lua binding calls.
LINK_LIB   := $(RES_OBJ) $(LIB)

# ---------------------------------------------------------------------------
# Top-level targets.

.PHONY: all deps run test test-asan fuzz fuzz-deps unit bench coverage clean help FORCE

all: $(BIN) $(UNIT_BIN) | deps

# Checks for the packages the build and the tests need and installs the
# missing ones (see the script).  Every compile and code generation step
# waits for it (order-only, so it never forces a rebuild), which makes
# `make`, `make test`, ... work on a fresh Debian machine in one step, and
# guarantees <valgrind/valgrind.h> is there before sim/context.c is compiled
# (without it fiber stacks are not registered with Valgrind).
deps:
	@bash scripts/deps.sh

run: $(BIN) | deps
	$(BIN) run scenarios

test: $(BIN) $(UNIT_BIN) | deps
	@BUILD=$(BUILDDIR) bash tests/run-all.sh

# Just the unit tests, no Valgrind: the quick loop while editing.
unit: $(UNIT_BIN) | deps
	$(UNIT_BIN)

ifeq ($(BENCH_SRCS),)
bench:
	@echo 'no bench/*.c yet: nothing to build' >&2; exit 1
else
bench: $(BENCH_BINS) | deps
	@for b in $(BENCH_BINS); do echo "==> $$b"; $$b || exit 1; done
endif

clean:
	rm -rf build

# ---------------------------------------------------------------------------
# Linking.

$(LIB): $(LIB_OBJS)
	$(call say,AR,$@)
	$(Q)rm -f $@ && $(AR) rcs $@ $^

$(BIN): $(MAIN_OBJ) $(LINK_LIB)
	$(call say,LD,$@)
	$(Q)$(LINK) -o $@ $^ $(LDLIBS)

# Order-only on the program: the runner tests spawn it, but relinking it
# alone is no reason to relink the tests.
$(UNIT_BIN): $(UNIT_OBJS) $(LINK_LIB) | $(BIN)
	$(call say,LD,$@)
	$(Q)$(LINK) -o $@ $^ $(CHECK_LIBS) $(LDLIBS)

# Objects reached only through this pattern rule are not intermediates.
.SECONDARY: $(BENCH_OBJS)
$(BUILDDIR)/bench-%: $(OBJDIR)/bench/bench_%.o $(LINK_LIB)
	$(call say,LD,$@)
	$(Q)$(LINK) -o $@ $^ $(LDLIBS)

# While the tree is young cli/main.c may not exist yet: say so plainly
# instead of make's "No rule to make target".
ifeq ($(wildcard $(MAIN_SRC)),)
$(MAIN_OBJ):
	@echo "$(MAIN_SRC) does not exist: cannot build $(BIN)" >&2; exit 1
endif

# ---------------------------------------------------------------------------
# Compiling.  -MMD -MP write build/obj/.../x.d beside each object so a header
# change rebuilds what includes it (and a deleted header is no error).

# Objects also depend on a record of the flags they were compiled with, so
# `make EXTRA_CFLAGS=...` or a moved checkout (TEST_DEFS) rebuilds them.
FLAGS_STAMP := $(BUILDDIR)/.flags

$(OBJDIR)/%.o: %.c $(FLAGS_STAMP) | deps $(RES_H)
	$(call say,CC,$<)
	@mkdir -p $(@D)
	$(Q)$(COMPILE) -MMD -MP -c $< -o $@

# Test files also see check.h and where the program and the tree are.  (A
# more specific pattern than the one above, so GNU make prefers it; a
# target-specific variable would leak into the shared prerequisites.)
$(OBJDIR)/tests/unit/%.o: tests/unit/%.c $(FLAGS_STAMP) | deps $(RES_H)
	$(call say,CC,$<)
	@mkdir -p $(@D)
	$(Q)$(COMPILE) $(CHECK_CFLAGS) $(TEST_DEFS) -MMD -MP -c $< -o $@

$(call obj,$(UNIT_MAIN)): $(SUITES_H)

$(RES_OBJ): $(RES_C) $(FLAGS_STAMP) | deps
	$(call say,CC,$<)
	@mkdir -p $(@D)
	$(Q)$(COMPILE) -MMD -MP -c $< -o $@

-include $(ALL_OBJS:.o=.d)

$(FLAGS_STAMP): FORCE | deps
	@mkdir -p $(@D)
	@printf '%s\n' $(call shquote,$(COMPILE)) $(call shquote,$(CHECK_CFLAGS) $(TEST_DEFS)) \
	    $(call shquote,$(LINK) $(LDLIBS)) > $@.tmp
	@$(update)

# ---------------------------------------------------------------------------
# Generated sources.  Targets that depend on FORCE are regenerated on every
# run, into a temporary file that replaces the real one only when its
# content changed: a file added to or removed from lua/lib or tests/unit
# is noticed, yet nothing is rebuilt when nothing changed.
#
# update-if-changed: move $@.tmp over $@ unless they are identical.
update = cmp -s $@.tmp $@ && rm -f $@.tmp || mv -f $@.tmp $@

# The Lua library (lua/lib/*.lua), embedded under /hwpsim/lua/<basename>.
$(RES_XML): FORCE
	@mkdir -p $(@D)
	@{ printf '<?xml version="1.0" encoding="UTF-8"?>\n'; \
	   printf '<!-- generated by the Makefile from lua/lib/*.lua -->\n'; \
	   printf '<gresources>\n  <gresource prefix="/hwpsim/lua">\n'; \
	   for f in $(LUA_LIBS); do \
	     printf '    <file alias="%s">%s</file>\n' "$${f##*/}" "$$f"; \
	   done; \
	   printf '  </gresource>\n</gresources>\n'; } > $@.tmp
	@$(update)

# The source embeds the files' contents, so it follows every .lua file.
$(RES_C): $(RES_XML) $(LUA_LIBS) | deps
	$(call say,GEN,$@)
	$(Q)glib-compile-resources --sourcedir=. --generate-source --c-name hwp --target=$@ $<

# The header only declares hwp_get_resource(), whatever the files are, so it
# is made once (the XML must exist, hence order-only): no .lua edit makes
# the files that include it recompile.
$(RES_H): | $(RES_XML) deps
	$(call say,GEN,$@)
	$(Q)glib-compile-resources --sourcedir=. --generate-header --c-name hwp --target=$@ $(RES_XML)

# The unit test suites: one SUITE(suite_NAME) line per `Suite *suite_NAME(void)`
# defined in tests/unit/*.c, for tests/unit/main.c to include.
$(SUITES_H): FORCE
	@mkdir -p $(@D)
	@bash scripts/gen-suites.sh $(UNIT_SRCS) > $@.tmp
	@$(update)

# ---------------------------------------------------------------------------
# Coverage: the same sources built again, unoptimised and instrumented, in
# build/coverage (its own objects, library, hwpsim and unit-tests, through
# a recursive make with another BUILDDIR).  The counters are reset, the unit
# tests and the catalogue run - their failures are reported but do not stop
# the report - then gcovr reads the counters once into JSON and makes the
# HTML report and the per-layer summaries from that.
#
# No -Werror here: a warning that only shows at -O0 must not cost the report;
# the normal build keeps the warnings fatal.

COVDIR      := build/coverage
COV_CFLAGS  := -Wall -Wextra -O0 -g --coverage
COV_JSON    := $(COVDIR)/coverage.json
COV_HTML    := $(COVDIR)/html/index.html
# Only the project's C code: not the tests, not generated code.
GCOVR_FILTERS := --root . --exclude 'tests/' --exclude 'build/'
COV_LAYERS  := hwpoison mm-model sim

# $(call cov_summary,TITLE,GCOVR-FILTER,TEXT-REPORT): the lines and branches
# percentages of the files the filter keeps, from the JSON.  The per-file
# text report goes to a file, never to -o /dev/null: gcovr checks that an
# output path is writable by creating and then *deleting* it.
cov_summary = echo '$(1):'; \
	gcovr --root . --add-tracefile $(COV_JSON) $(2) --txt $(3) --print-summary \
	  | awk '/^(lines|branches):/ { print "  " $$0; n++ } \
	         END { if (!n) print "  (no summary from gcovr)" }'

coverage: | deps
	$(Q)$(MAKE) BUILDDIR=$(COVDIR) CFLAGS='$(COV_CFLAGS)' all
	@find $(COVDIR) -name '*.gcda' -delete
	@echo '==> unit tests (instrumented)'
	@$(COVDIR)/unit-tests || echo '(unit tests failed; the report is made anyway)'
	@echo '==> scenario catalogue (instrumented)'
	@$(COVDIR)/hwpsim run scenarios || echo '(catalogue failed; the report is made anyway)'
	@echo '==> coverage report'
	@rm -rf $(COVDIR)/html && mkdir -p $(COVDIR)/html
	$(Q)gcovr $(GCOVR_FILTERS) --json $(COV_JSON) --html-details $(COV_HTML) \
	    --html-title 'hwpsim coverage' $(COVDIR) >/dev/null
	@$(call cov_summary,overall,,$(COVDIR)/summary.txt)
	@$(foreach d,$(COV_LAYERS),$(call cov_summary,$(d)/,--filter $(d)/,$(COVDIR)/summary-$(d).txt);)
	@echo 'HTML report: $(COV_HTML)'

# ---------------------------------------------------------------------------
# Sanitizers: the same sources built again with ASan and UBSan in
# build/asan (a recursive make with another BUILDDIR, as for coverage), then
# tests/run-all.sh in its sanitizer mode: unit tests, the catalogue, the
# unit tests in one process, and no sanitizer report from any of them.
# Valgrind cannot run an ASan build; `make test` keeps it.  sim/context.c
# tells ASan about every fiber switch.

ASANDIR     := build/asan
ASAN_CFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all \
	       -fno-omit-frame-pointer

test-asan: | deps
	$(Q)$(MAKE) BUILDDIR=$(ASANDIR) EXTRA_CFLAGS='$(ASAN_CFLAGS)' all
	@BUILD=$(ASANDIR) SANITIZERS=1 bash tests/run-all.sh

# ---------------------------------------------------------------------------

help:
	@echo 'Targets:'
	@echo '  make / make all  check deps, build $(BIN) and $(UNIT_BIN)'
	@echo '  make deps        install missing build/test packages (Debian; apt-get)'
	@echo '  make run         build, then run the scenario catalogue: $(BIN) run scenarios'
	@echo '  make test        build, then tests/run-all.sh: unit tests, catalogue,'
	@echo '                   Valgrind memcheck of both; last line "N passed, N failed"'
	@echo '  make test-asan   build in $(ASANDIR) with ASan+UBSan, run the unit tests and'
	@echo '                   the catalogue; last line "N passed, N failed"'
	@echo '  make unit        build and run the unit tests only (no Valgrind)'
	@echo '  make coverage    instrumented build in $(COVDIR), run tests and catalogue,'
	@echo '                   HTML report $(COV_HTML) and summaries'
	@echo '  make bench       build and run build/bench-NAME for each bench/bench_NAME.c'
	@echo '  make clean       remove build/'
	@echo '  make help        this text'
	@echo 'Variables:'
	@echo '  V=1              show full commands'
	@echo '  CC, CFLAGS       compiler; warnings and optimisation (default: $(CFLAGS))'
	@echo '  EXTRA_CFLAGS, EXTRA_LDFLAGS, EXTRA_LIBS   added to the defaults'
	@echo '  BUILDDIR=build/x build another configuration beside the default one, e.g.'
	@echo "                   make BUILDDIR=build/asan EXTRA_CFLAGS='-fsanitize=address,undefined'"
