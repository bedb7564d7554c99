# tests/orchestrator: manifests, state store, placement, the daemon with sipnodes.
ORT_DIR := $(BUILD)/tests/orchestrator

$(ORT_DIR)/test_manifest: $(BUILD)/obj/tests/orchestrator/test_manifest.o $(ORCH_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ -lcunit -lyaml

TESTS += $(ORT_DIR)/test_manifest

$(ORT_DIR)/test_store: $(BUILD)/obj/tests/orchestrator/test_store.o $(ORCH_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ -lcunit -lyaml -lsqlite3 -ljansson

TESTS += $(ORT_DIR)/test_store
