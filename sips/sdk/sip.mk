# sips/sdk/sip.mk: build rules for SIPs -- C compiled to wasm32-wasi modules with Debian's
# clang-14, wasi-libc (sysroot /usr) and wasm-ld (lld-14); compiler-rt builtins for wasm32
# come from libclang-rt-14-dev-wasm32. Included by sips/sdk/build.mk; see sips/sdk/README.md.
#
#   sips/apps/X.c     -> $(BUILD)/sips/X.wasm         (example and system SIPs)
#   any/other/P.c     -> $(BUILD)/sips/any/other/P.wasm (bench and test SIPs, mirrored)
#
# A SIP made of several files lists the extra sources as prerequisites of its module:
#   $(BUILD)/sips/kv.wasm: sips/apps/kv_table.c
# every .c prerequisite is compiled into the module.

# BUILD comes from the top-level Makefile; the default serves makefiles of other projects.
BUILD       ?= build
SIP_MK      := $(lastword $(MAKEFILE_LIST))
SIP_CC      := clang-14
SIP_SYSROOT := /usr
SIP_TARGET  := wasm32-wasi
# WebAssembly 2.0 features the engine implements: bulk memory turns memcpy/memset into
# single memory.copy/memory.fill instructions; sign-extension and saturating float-to-int
# conversions replace multi-instruction sequences. clang-14 refuses wasi-libc's thread-local
# errno once bulk memory is on unless told the local-exec model; with no shared memory the
# linker then places it as an ordinary global, the same one libc uses.
SIP_FEATURES := -mbulk-memory -msign-ext -mnontrapping-fptoint -mmutable-globals \
                -ftls-model=local-exec
SIP_CFLAGS  := --target=$(SIP_TARGET) --sysroot=$(SIP_SYSROOT) -std=gnu11 -O2 $(SIP_FEATURES) \
               -Wall -Wextra -Wno-unused-parameter -I. -I$(BUILD)/gen
# keep the "name" section (function names in traps), drop DWARF (wasi-libc ships with it)
SIP_LDFLAGS := -Wl,--strip-debug
SIP_LDLIBS  :=

# Compile and link in one step; -MMD writes X.d beside X.wasm for header dependencies.
define sip_link
	@mkdir -p $(dir $@)
	$(SIP_CC) $(SIP_CFLAGS) -MMD -MP -MF $(@:.wasm=.d) -MT $@ $(filter %.c,$^) -o $@ $(SIP_LDFLAGS) $(SIP_LDLIBS)
endef

# (sip.mk itself is a prerequisite so that changed flags rebuild every SIP)
$(BUILD)/sips/%.wasm: sips/apps/%.c $(SIP_MK)
	$(sip_link)

$(BUILD)/sips/%.wasm: %.c $(SIP_MK)
	$(sip_link)

-include $(shell find $(BUILD)/sips -name '*.d' 2>/dev/null)
