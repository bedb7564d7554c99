# tests/orchestrator: manifests, state store, placement, the daemon with sipnodes.
ORT_DIR := $(BUILD)/tests/orchestrator

$(ORT_DIR)/test_manifest: $(BUILD)/obj/tests/orchestrator/test_manifest.o $(ORCH_LIB) $(ENGINE_HOSTED)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ -lcunit -lyaml

TESTS += $(ORT_DIR)/test_manifest

$(ORT_DIR)/test_store: $(BUILD)/obj/tests/orchestrator/test_store.o $(ORCH_LIB) $(ENGINE_HOSTED)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ -lcunit -lyaml -lsqlite3 -ljansson

TESTS += $(ORT_DIR)/test_store

# processes on loopback: orchd, sipctl, three sipnodes, the test SIPs
ORT_SIPS := $(BUILD)/sips/tests/orchestrator/sips/ticker.wasm $(BUILD)/sips/tests/orchestrator/sips/crasher.wasm \
            $(BUILD)/sips/tests/orchestrator/sips/echo_loop.wasm $(BUILD)/sips/tests/orchestrator/sips/big.wasm \
            $(BUILD)/sips/pipe_source.wasm $(BUILD)/sips/pipe_upper.wasm $(BUILD)/sips/pipe_sink.wasm \
            $(BUILD)/sips/echo_server.wasm $(BUILD)/sips/echo_client.wasm
$(ORT_DIR)/test_cluster: $(BUILD)/obj/tests/orchestrator/test_cluster.o $(BUILD)/obj/tests/orchestrator/procs.o \
                         $(NETCHAN_PROTO_LIB) | $(ORT_SIPS) $(ORCHD) $(SIPCTL) $(SIPNODE)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $(filter %.o,$^) $(NETCHAN_PROTO_LIB) -lcunit -lcurl -ljansson -lzmq -lprotobuf-c
$(BUILD)/obj/tests/orchestrator/test_cluster.o: | $(NETCHAN_PROTO_HDRS)

TESTS += $(ORT_DIR)/test_cluster

# The manifest parser under libFuzzer (clang, ASan/UBSan), run for a few seconds by a
# CUnit wrapper.
ORT_FUZZ := $(ORT_DIR)/fuzz_manifest
$(ORT_FUZZ): tests/orchestrator/fuzz_manifest.c orchestrator/manifest.c orchestrator/manifest.h
	@mkdir -p $(dir $@)
	$(CLANG) -std=gnu11 -g -O1 -I. -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	    -o $@ tests/orchestrator/fuzz_manifest.c orchestrator/manifest.c -lyaml

$(ORT_DIR)/test_fuzz_manifest: $(BUILD)/obj/tests/orchestrator/test_fuzz_manifest.o | $(ORT_FUZZ)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $(filter %.o,$^) -lcunit

TESTS += $(ORT_DIR)/test_fuzz_manifest

$(BUILD)/sips/tests/orchestrator/sips/echo_loop.wasm: $(CONTRACTS_STAMP)

# sipctl migrate end to end: orchd + 3 sipnodes, a client streaming numbered blocks to a
# server that is moved between nodes mid-conversation.
ORT_MIG_SIPS := $(BUILD)/sips/tests/orchestrator/sips/stream_client.wasm \
                $(BUILD)/sips/tests/orchestrator/sips/stream_server.wasm
$(ORT_MIG_SIPS): $(APPS_GEN_STAMP)
$(ORT_DIR)/test_migrate_cluster: $(BUILD)/obj/tests/orchestrator/test_migrate_cluster.o \
                                 $(BUILD)/obj/tests/orchestrator/procs.o \
                                 | $(ORT_MIG_SIPS) $(ORCHD) $(SIPCTL) $(SIPNODE)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $(filter %.o,$^) -lcunit -lcurl -ljansson

TESTS += $(ORT_DIR)/test_migrate_cluster
