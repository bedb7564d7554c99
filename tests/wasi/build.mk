# tests/wasi: CUnit tests of the WASI subset (test_wasi: SIPs from tests/wasi/sips built with
# the SDK rules, plus hand-written modules from tests/wasi/wat) and the quick checksum check
# of bench/engine (test_engine_bench).
WASI_TEST_SIPS := $(patsubst %.c,$(BUILD)/sips/%.wasm,$(wildcard tests/wasi/sips/*.c))
WASI_TEST_WATS := $(patsubst %.wat,$(BUILD)/%.wasm,$(wildcard tests/wasi/wat/*.wat))
WASI_HOSTED    := $(BUILD)/obj/node-kernel/core/wasi.o $(BUILD)/obj/node-kernel/hosted/platform_hosted.o
TEST_WASI      := $(BUILD)/tests/wasi/test_wasi
TEST_ENGINE_BENCH := $(BUILD)/tests/wasi/test_engine_bench

$(BUILD)/tests/wasi/wat/%.wasm: tests/wasi/wat/%.wat
	@mkdir -p $(dir $@)
	wat2wasm $< -o $@

$(TEST_WASI): $(BUILD)/obj/tests/wasi/test_wasi.o $(WASI_HOSTED) $(ENGINE_HOSTED) \
              | $(WASI_TEST_SIPS) $(WASI_TEST_WATS) $(SIPRUN) $(BENCH_ENGINE_WASM)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $(filter %.o %.a,$^) -lcunit

$(TEST_ENGINE_BENCH): $(BUILD)/obj/tests/wasi/test_engine_bench.o $(BENCH_ENGINE_EXEC) \
                      $(ENGINE_HOSTED) | $(BENCH_ENGINE_NATIVE) $(BENCH_ENGINE_WASM) $(ENGINE_BENCH)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $(filter %.o %.a,$^) -lcunit

# test_wasi_host: the WASI host functions against a stand-in engine (no wasm is run)
TEST_WASI_HOST := $(BUILD)/tests/wasi/test_wasi_host
$(TEST_WASI_HOST): $(BUILD)/obj/tests/wasi/test_wasi_host.o $(WASI_HOSTED)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ -lcunit
TESTS += $(TEST_WASI_HOST) $(TEST_WASI) $(TEST_ENGINE_BENCH)
