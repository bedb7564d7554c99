# tests/fleet: `sipctl fleet` against a private libvirtd in a network namespace.
FLEET_TEST := $(BUILD)/tests/fleet/test_fleet
FLEET_TEST_OBJS := $(addprefix $(BUILD)/obj/tests/, fleet/test_fleet.o fleet/lab_libvirtd.o pxe/proc.o \
                       metal/qemu_vm.o)

$(FLEET_TEST): $(FLEET_TEST_OBJS) $(BUILD)/lib/libsipctl_boot.a $(PXE_LIB) | $(BUILD)/bin/multiplicity-metal.elf $(BUILD)/bin/sipctl
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ -lcunit -lmicrohttpd -lvirt -lpthread

TESTS += $(FLEET_TEST)
