# tests/core: unit tests of the node kernel core (native-body SIPs) and, once the engine
# runs wasm, of WebAssembly SIPs.
TEST_CORE_SRCS := $(wildcard tests/core/*.c)   # not zoo/ (SIPs) or wasm/
TEST_CORE_OBJS := $(TEST_CORE_SRCS:%.c=$(BUILD)/obj/%.o)
TEST_CORE      := $(BUILD)/tests/core/test_core

$(TEST_CORE): $(TEST_CORE_OBJS) $(BUILD)/obj/node-kernel/hosted/manifest.o $(NKCORE_HOSTED)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ -lcunit $(LDLIBS)

TESTS += $(TEST_CORE)

# WebAssembly SIPs on a kernel: example apps end to end and the hostile SIP zoo
# (tests/core/zoo/*.c are SIPs, built to $(BUILD)/sips/tests/core/zoo/*.wasm).
TEST_WASM_SIPS := $(BUILD)/tests/core/test_wasm_sips
ZOO_WASM := $(patsubst %.c,$(BUILD)/sips/%.wasm,$(wildcard tests/core/zoo/*.c))
$(ZOO_WASM): $(CONTRACTS_STAMP) sips/sdk/sip.h

$(TEST_WASM_SIPS): $(BUILD)/obj/tests/core/wasm/test_wasm.o \
                   $(addprefix $(BUILD)/obj/node-kernel/hosted/,manifest.o deploy.o loglines.o runloop.o) \
                   $(NKCORE_HOSTED) $(ZOO_WASM) $(APPS_WASM) $(SIPNODE)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $(filter %.o %.a,$^) -lcunit $(LDLIBS)

TESTS += $(TEST_WASM_SIPS)
