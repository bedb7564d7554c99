# tests/fuzz: a libFuzzer target over module loading, built with clang-14 and ASan/UBSan
# from its own clang-compiled copy of the engine sources (never the gcc objects), and the
# CUnit program that runs it for a bounded time on seeds made from the spec suite.
# Until the engine defines wasm_module_load, the target fuzzes wasm_decode alone.
FUZZ_DIR          := $(BUILD)/fuzz
FUZZ_SAN          := -fsanitize=address,undefined -fno-sanitize-recover=undefined
FUZZ_CFLAGS       := -std=gnu11 -O1 -g -Wall -Wno-unused-parameter -fno-strict-aliasing \
                     -I. -I$(BUILD)/gen $(FUZZ_SAN) -fsanitize=fuzzer-no-link
FUZZ_ENGINE_SRCS  := $(wildcard sips/engine/*.c)
FUZZ_ENGINE_OBJS  := $(FUZZ_ENGINE_SRCS:%.c=$(FUZZ_DIR)/obj/%.o)
FUZZ_ENGINE_LIB   := $(FUZZ_DIR)/libengine_fuzz.a
FUZZ_HAVE_LOAD    := $(shell grep -lsE '^(wasm_errcode[[:space:]]+)?wasm_module_load[[:space:]]*.const' sips/engine/*.c)
# The target's object is named after the mode so that switching modes rebuilds it.
FUZZ_MODE         := $(if $(FUZZ_HAVE_LOAD),load,decode)
FUZZ_TARGET_OBJ   := $(FUZZ_DIR)/obj/tests/fuzz/fuzz_module-$(FUZZ_MODE).o
FUZZ_TARGET       := $(BUILD)/tests/fuzz/fuzz_module
FUZZ_TEST         := $(BUILD)/tests/fuzz/test_fuzz

$(FUZZ_DIR)/obj/sips/engine/%.o: sips/engine/%.c
	@mkdir -p $(dir $@)
	$(CLANG) $(FUZZ_CFLAGS) -ffreestanding -MMD -MP -c $< -o $@

$(FUZZ_TARGET_OBJ): tests/fuzz/fuzz_module.c
	@mkdir -p $(dir $@)
	$(CLANG) $(FUZZ_CFLAGS) $(if $(FUZZ_HAVE_LOAD),-DFUZZ_HAVE_MODULE_LOAD) -MMD -MP -c $< -o $@

$(FUZZ_ENGINE_LIB): $(FUZZ_ENGINE_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(FUZZ_TARGET): $(FUZZ_TARGET_OBJ) $(FUZZ_ENGINE_LIB)
	@mkdir -p $(dir $@)
	$(CLANG) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $^

$(FUZZ_TEST): $(BUILD)/obj/tests/fuzz/test_fuzz.o $(FUZZ_TARGET)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $< -lcunit

TESTS += $(FUZZ_TEST)

-include $(shell find $(FUZZ_DIR)/obj -name '*.d' 2>/dev/null)
