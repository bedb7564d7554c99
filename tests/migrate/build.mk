# tests/migrate: live SIP migration -- images (save/restore, damaged and random input),
# between kernels of one process (computation moved back and forth, a stream mid-
# conversation, a peer on a third kernel, failed migrations), and to another process over
# loopback TCP (including a target killed during the migration).
# The test SIPs (tests/migrate/sips/*.c) build to $(BUILD)/sips/tests/migrate/sips/*.wasm.
MIGRATE_TEST_SIPS := $(patsubst %.c,$(BUILD)/sips/%.wasm,$(wildcard tests/migrate/sips/*.c))
$(MIGRATE_TEST_SIPS): $(CONTRACTS_STAMP) $(APPS_GEN_STAMP) sips/sdk/sip.h

MIGRATE_XFER_OBJ := $(BUILD)/obj/tests/migrate/xfer.o
TEST_MIGRATE := $(BUILD)/tests/migrate/test_migrate
$(TEST_MIGRATE): $(BUILD)/obj/tests/migrate/test_migrate.o $(BUILD)/obj/tests/migrate/fixture.o \
                 $(BUILD)/obj/tests/migrate/test_local.o $(BUILD)/obj/tests/migrate/test_image.o \
                 $(BUILD)/obj/tests/migrate/test_process.o $(MIGRATE_XFER_OBJ) \
                 $(BUILD)/obj/tests/migrate/proc_target.o $(BUILD)/obj/tests/migrate/test_netchan.o \
                 $(NETCHAN_LINK) \
                 $(addprefix $(BUILD)/obj/node-kernel/hosted/,manifest.o deploy.o) \
                 $(NKCORE_HOSTED) $(MIGRATE_TEST_SIPS) $(BUILD)/sips/pipe_source.wasm
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $(filter %.o %.a,$^) -lcunit -lzmq -lprotobuf-c $(LDLIBS)

$(BUILD)/obj/tests/migrate/test_netchan.o: | $(BUILD)/gen/netchan/proto/node.pb-c.h

TESTS += $(TEST_MIGRATE)

# The libFuzzer target over the image reader: clang-14 with ASan/UBSan, its own clang
# copies of the core, contracts and platform (never the gcc objects) and tests/fuzz's
# clang build of the engine. test_migrate runs it for a bounded time on a saved image.
MIGFUZZ_DIR    := $(BUILD)/fuzz
MIGFUZZ_SRCS   := $(wildcard node-kernel/core/*.c) $(wildcard contracts/*.c) \
                  node-kernel/hosted/platform_hosted.c
MIGFUZZ_OBJS   := $(MIGFUZZ_SRCS:%.c=$(MIGFUZZ_DIR)/obj/%.o) \
                  $(MIGFUZZ_DIR)/obj/tests/migrate/fuzz_image.o
MIGFUZZ_TARGET := $(BUILD)/tests/migrate/fuzz_image

$(MIGFUZZ_DIR)/obj/node-kernel/%.o: node-kernel/%.c
	@mkdir -p $(dir $@)
	$(CLANG) $(FUZZ_CFLAGS) -Wno-gnu-variable-sized-type-not-at-end -MMD -MP -c $< -o $@
$(MIGFUZZ_DIR)/obj/contracts/%.o: contracts/%.c
	@mkdir -p $(dir $@)
	$(CLANG) $(FUZZ_CFLAGS) -Wno-gnu-variable-sized-type-not-at-end -MMD -MP -c $< -o $@
$(MIGFUZZ_DIR)/obj/tests/migrate/%.o: tests/migrate/%.c
	@mkdir -p $(dir $@)
	$(CLANG) $(FUZZ_CFLAGS) -Wno-gnu-variable-sized-type-not-at-end -MMD -MP -c $< -o $@

$(MIGFUZZ_TARGET): $(MIGFUZZ_OBJS) $(FUZZ_ENGINE_LIB) $(BUILD)/sips/tests/migrate/sips/compute.wasm
	@mkdir -p $(dir $@)
	$(CLANG) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $(filter %.o %.a,$^)

$(TEST_MIGRATE): $(MIGFUZZ_TARGET)
