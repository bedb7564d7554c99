# tests/metal: CUnit tests that boot the metal kernel in QEMU (user-mode networking) and
# talk to it from host peers on 127.0.0.1. The test program needs the kernel image.
METAL_TEST_DIR := $(BUILD)/tests/metal
METAL_TEST     := $(METAL_TEST_DIR)/test_metal_boot
METAL_TEST_OBJS := $(addprefix $(BUILD)/obj/tests/metal/, test_metal_boot.o qemu_vm.o host_peers.o)

$(BUILD)/obj/tests/metal/host_peers.o: | $(BUILD)/gen/netchan/proto/node.pb-c.h

$(METAL_TEST): $(METAL_TEST_OBJS) $(BUILD)/lib/libnetchan_proto.a | $(BUILD)/bin/multiplicity-metal.elf
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ -lcunit -lzmq -lprotobuf-c -lpthread

TESTS += $(METAL_TEST)

# The command-line parser is plain C: tested on the host, no QEMU needed.
METAL_CMDLINE_TEST := $(METAL_TEST_DIR)/test_metal_cmdline
$(METAL_CMDLINE_TEST): $(BUILD)/obj/tests/metal/test_metal_cmdline.o $(BUILD)/obj/node-kernel/metal/cmdline.o
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ -lcunit

TESTS += $(METAL_CMDLINE_TEST)

# The metal kernel as a cluster node: example applications against sipnode's output, and
# registration / SIP deployment through an orchestrator stand-in (orch.proto over libzmq).
METAL_CLUSTER_TEST := $(METAL_TEST_DIR)/test_metal_cluster
METAL_CLUSTER_OBJS := $(addprefix $(BUILD)/obj/tests/metal/, test_metal_cluster.o qemu_vm.o orch_standin.o orchd_proc.o)
$(BUILD)/obj/tests/metal/orch_standin.o $(BUILD)/obj/tests/metal/test_metal_cluster.o: | $(BUILD)/gen/netchan/proto/orch.pb-c.h

$(METAL_CLUSTER_TEST): $(METAL_CLUSTER_OBJS) $(BUILD)/lib/libnetchan_proto.a $(BUILD)/lib/libengine.a \
                       | $(BUILD)/bin/multiplicity-metal.elf $(BUILD)/bin/sipnode $(BUILD)/bin/orchd $(BUILD)/bin/sipctl
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $(filter %.o %.a,$^) -lcunit -lzmq -lprotobuf-c -lpthread

TESTS += $(METAL_CLUSTER_TEST)

# Live migration through orchd between hosted and metal nodes (sipctl migrate).
METAL_MIGRATE_TEST := $(METAL_TEST_DIR)/test_metal_migrate
METAL_MIGRATE_OBJS := $(addprefix $(BUILD)/obj/tests/metal/, test_metal_migrate.o qemu_vm.o orchd_proc.o)
$(METAL_MIGRATE_TEST): $(METAL_MIGRATE_OBJS) \
                       | $(BUILD)/bin/multiplicity-metal.elf $(BUILD)/bin/sipnode $(BUILD)/bin/orchd $(BUILD)/bin/sipctl \
                         $(BUILD)/sips/tests/orchestrator/sips/stream_client.wasm $(BUILD)/sips/tests/orchestrator/sips/stream_server.wasm
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $(filter %.o %.a,$^) -lcunit

TESTS += $(METAL_MIGRATE_TEST)
