# tests/engine: CUnit tests of the engine's validator, compiler, interpreter, fuel, traps,
# host calls and snapshot/restore. The test modules are written in WebAssembly text
# (tests/engine/wat) and turned into C byte arrays at build time with wabt's wat2wasm.
ENGINE_TEST_SRCS := $(wildcard tests/engine/*.c)
ENGINE_TEST_OBJS := $(ENGINE_TEST_SRCS:%.c=$(BUILD)/obj/%.o)
ENGINE_TEST_WATS := $(wildcard tests/engine/wat/*.wat)
ENGINE_TEST_INCS := $(ENGINE_TEST_WATS:tests/engine/wat/%.wat=$(BUILD)/gen/tests/engine/%.wasm.inc)
ENGINE_TEST      := $(BUILD)/tests/engine/test_engine

$(BUILD)/gen/tests/engine/%.wasm.inc: tests/engine/wat/%.wat
	@mkdir -p $(dir $@)
	wat2wasm $< -o $@.wasm
	od -An -v -tx1 $@.wasm | sed -e 's/ *\([0-9a-f][0-9a-f]\)/0x\1,/g' > $@
	rm -f $@.wasm

$(ENGINE_TEST_OBJS): | $(ENGINE_TEST_INCS)

$(ENGINE_TEST): $(ENGINE_TEST_OBJS) $(ENGINE_HOSTED)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ -lcunit

TESTS += $(ENGINE_TEST)
