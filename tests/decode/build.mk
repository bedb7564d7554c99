# tests/decode: CUnit tests for the WebAssembly binary decoder (sips/engine/decode.c), the
# LEB128 readers, rt_snprintf, and the freestanding check of libengine.a. The spec-corpus
# suite converts ../shared/wasm-testsuite with wast2json at run time.
DECODE_TEST_SRCS := $(wildcard tests/decode/*.c)
DECODE_TEST_OBJS := $(DECODE_TEST_SRCS:%.c=$(BUILD)/obj/%.o)
DECODE_TEST      := $(BUILD)/tests/decode/test_decode

$(DECODE_TEST): $(DECODE_TEST_OBJS) $(ENGINE_HOSTED)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ -lcunit -ljansson

TESTS += $(DECODE_TEST)
