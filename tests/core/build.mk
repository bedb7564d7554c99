# tests/core: unit tests of the node kernel core (native-body SIPs) and, once the engine
# runs wasm, of WebAssembly SIPs.
TEST_CORE_SRCS := $(wildcard tests/core/*.c)
TEST_CORE_OBJS := $(TEST_CORE_SRCS:%.c=$(BUILD)/obj/%.o)
TEST_CORE      := $(BUILD)/tests/core/test_core

$(TEST_CORE): $(TEST_CORE_OBJS) $(BUILD)/obj/node-kernel/hosted/manifest.o $(NKCORE_HOSTED)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ -lcunit $(LDLIBS)

TESTS += $(TEST_CORE)
