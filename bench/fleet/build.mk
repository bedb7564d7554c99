# bench/fleet: `sipctl fleet up -n 4` to all registered, against one direct QEMU boot.
FLEET_BENCH := $(BUILD)/bench/fleet/fleet_bench
FLEET_BENCH_OBJS := $(BUILD)/obj/bench/fleet/fleet_bench.o $(addprefix $(BUILD)/obj/tests/, \
                        fleet/lab_libvirtd.o pxe/proc.o metal/qemu_vm.o)

$(FLEET_BENCH): $(FLEET_BENCH_OBJS) | $(BUILD)/bin/multiplicity-metal.elf $(BUILD)/bin/sipctl
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^

BENCHES += $(FLEET_BENCH)
