# tests/netchan: netchan across real sipnode processes on 127.0.0.1 (echo over two nodes,
# endpoint transfer across three, link faults, node death, ownership counters), and a
# bounded libFuzzer run over the frame decoder and dispatcher.
NCT_DIR   := $(BUILD)/tests/netchan
NCT_SIPS  := $(BUILD)/sips/tests/netchan/sips/ep_relay.wasm
NCT_APPS  := $(BUILD)/sips/echo_server.wasm $(BUILD)/sips/echo_client.wasm \
             $(BUILD)/sips/ep_broker.wasm $(BUILD)/sips/ep_client.wasm

$(NCT_SIPS): $(CONTRACTS_STAMP)

$(NCT_DIR)/test_netchan: $(BUILD)/obj/tests/netchan/test_netchan.o $(BUILD)/obj/tests/netchan/nodes.o \
                         | $(NCT_SIPS) $(NCT_APPS) $(BUILD)/bin/sipnode
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $(filter %.o,$^) -lcunit

TESTS += $(NCT_DIR)/test_netchan
