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
                 $(BUILD)/obj/tests/migrate/proc_target.o \
                 $(addprefix $(BUILD)/obj/node-kernel/hosted/,manifest.o deploy.o) \
                 $(NKCORE_HOSTED) $(MIGRATE_TEST_SIPS) $(BUILD)/sips/pipe_source.wasm
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $(filter %.o %.a,$^) -lcunit $(LDLIBS)

TESTS += $(TEST_MIGRATE)
