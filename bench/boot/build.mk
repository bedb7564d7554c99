# bench/boot: kernel entry to first delivered netchan message, under KVM (`make bench`).
BOOT_BENCH := $(BUILD)/bench/boot/boot_bench

$(BOOT_BENCH): $(BUILD)/obj/bench/boot/boot_bench.o $(BUILD)/obj/tests/metal/qemu_vm.o \
               $(BUILD)/obj/tests/metal/host_peers.o $(BUILD)/lib/libnetchan_proto.a \
               | $(BUILD)/bin/multiplicity-metal.elf
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ -lzmq -lprotobuf-c -lpthread

BENCHES += $(BOOT_BENCH)
