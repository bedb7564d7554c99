# Multiplicity top-level build. One Makefile; every area adds its rules in its own
# build.mk fragment (included below) and appends to these lists:
#   BINS    programs and libraries `make all` builds
#   TESTS   CUnit test programs `make test` runs, in order
#   BENCHES benchmark programs `make bench` runs
# Targets: run, test, all, deps, bench, stop, clean.

BUILD    := build
CC       := gcc
CLANG    := clang-14
CFLAGS   := -std=gnu11 -O2 -g -Wall -Wextra -Wno-unused-parameter -fno-strict-aliasing -I. -I$(BUILD)/gen
LDFLAGS  :=
LDLIBS   :=

BINS    :=
TESTS   :=
BENCHES :=

.PHONY: all run test check deps bench stop clean
all: build-all

include mk/deps.mk
# Fragments that define libraries others link come first: prerequisite lists are expanded
# when a rule is read, so a library variable must be set before any fragment names it.
FIRST_FRAGMENTS := sips/engine/build.mk contracts/build.mk netchan/proto/build.mk
include $(FIRST_FRAGMENTS)
include $(filter-out $(FIRST_FRAGMENTS),$(sort $(wildcard */build.mk */*/build.mk)))

build-all: $(BINS)

# `make test` and `make run` install what is missing first, then re-enter make so that
# everything evaluated at parse time (pkg-config, tool paths) sees the installed packages.
test: deps
	@$(MAKE) --no-print-directory check

check: build-all $(TESTS)
	@mk/run-tests.sh $(TESTS)

run: deps
	@$(MAKE) --no-print-directory build-all
	@$(MAKE) --no-print-directory run-cluster

bench: deps
	@$(MAKE) --no-print-directory build-all $(BENCHES)
	@for b in $(BENCHES); do echo "== $$b"; ./$$b || exit 1; done

clean:
	rm -rf $(BUILD)

# Generic rules: objects mirror the source tree under build/obj.
$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)

# The local cluster `make run` starts: orchd and three hosted nodes on loopback, the example
# applications applied across them (orchestrator/run-cluster.sh); `make stop` ends it.
run-cluster:
	@orchestrator/run-cluster.sh
	@echo "Cluster is up. Inspect: build/bin/sipctl get nodes|apps|sips|channels, sipctl logs APP/SIP; stop: make stop"

stop:
	@orchestrator/stop-cluster.sh
