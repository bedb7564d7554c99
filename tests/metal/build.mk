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
