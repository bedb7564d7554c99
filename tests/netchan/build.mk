# tests/netchan: netchan across real sipnode processes on 127.0.0.1 (echo over two nodes,
# endpoint transfer across three, link faults, node death, ownership counters), and a
# bounded libFuzzer run over the frame decoder and dispatcher.
NCT_DIR   := $(BUILD)/tests/netchan
NCT_SIPS  := $(BUILD)/sips/tests/netchan/sips/ep_relay.wasm \
             $(BUILD)/sips/tests/netchan/sips/pair_giver.wasm $(BUILD)/sips/tests/netchan/sips/pair_taker.wasm
NCT_LF_SIPS := $(BUILD)/sips/tests/netchan/sips/seq_src.wasm $(BUILD)/sips/tests/netchan/sips/seq_sink.wasm
NCT_APPS  := $(BUILD)/sips/echo_server.wasm $(BUILD)/sips/echo_client.wasm \
             $(BUILD)/sips/ep_broker.wasm $(BUILD)/sips/ep_client.wasm

$(NCT_SIPS) $(NCT_LF_SIPS): $(CONTRACTS_STAMP)

$(NCT_DIR)/test_netchan: $(BUILD)/obj/tests/netchan/test_netchan.o $(BUILD)/obj/tests/netchan/nodes.o \
                         | $(NCT_SIPS) $(NCT_APPS) $(BUILD)/bin/sipnode
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $(filter %.o,$^) -lcunit

TESTS += $(NCT_DIR)/test_netchan

# Link faults over a veth between two network namespaces (root; skipped otherwise).
$(NCT_DIR)/test_linkfault: $(BUILD)/obj/tests/netchan/test_linkfault.o $(BUILD)/obj/tests/netchan/nodes.o \
                           $(BUILD)/obj/tests/netchan/netns.o | $(NCT_LF_SIPS) $(BUILD)/bin/sipnode
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $(filter %.o,$^) -lcunit

TESTS += $(NCT_DIR)/test_linkfault

# The fuzz target: netchan and the generated protobuf code compiled by clang with
# ASan/UBSan and fuzzer coverage; the node kernel libraries are the ordinary gcc ones.
NCT_FUZZ      := $(NCT_DIR)/fuzz_dispatch
NCT_FUZZ_SRCS := tests/netchan/fuzz_dispatch.c $(wildcard netchan/*.c) $(BUILD)/gen/netchan/proto/node.pb-c.c
$(NCT_FUZZ): $(NCT_FUZZ_SRCS) $(wildcard netchan/*.h) $(NKCORE_HOSTED) | $(BUILD)/gen/netchan/proto/node.pb-c.h
	@mkdir -p $(dir $@)
	$(CLANG) -std=gnu11 -g -O1 -I. -I$(BUILD)/gen -fsanitize=fuzzer,address,undefined \
	    -fno-sanitize-recover=undefined -Wno-gnu-variable-sized-type-not-at-end \
	    -o $@ $(NCT_FUZZ_SRCS) $(NKCORE_HOSTED) -lzmq -lprotobuf-c

$(BUILD)/obj/tests/netchan/test_fuzz_netchan.o: | $(BUILD)/gen/netchan/proto/node.pb-c.h
$(NCT_DIR)/test_fuzz_netchan: $(BUILD)/obj/tests/netchan/test_fuzz_netchan.o $(BUILD)/lib/libnetchan_proto.a | $(NCT_FUZZ)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $(filter-out |,$^) -lcunit -lprotobuf-c

TESTS += $(NCT_DIR)/test_fuzz_netchan

# In-process: two nodes linked over 127.0.0.1 driven step by step, and hostile frames.
$(BUILD)/obj/tests/netchan/test_ownership.o: | $(BUILD)/gen/netchan/proto/node.pb-c.h
$(NCT_DIR)/test_ownership: $(BUILD)/obj/tests/netchan/test_ownership.o $(NETCHAN_LINK) $(NKCORE_HOSTED)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ -lcunit -lzmq -lprotobuf-c

TESTS += $(NCT_DIR)/test_ownership
