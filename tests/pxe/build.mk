# tests/pxe: network boot of the metal kernel: iPXE scripts, dnsmasq configuration, the
# boot routes over HTTP, QEMU booting through its iPXE ROM, a lab in network namespaces.
PXE_TEST := $(BUILD)/tests/pxe/test_pxe_boot
PXE_TEST_OBJS := $(addprefix $(BUILD)/obj/tests/pxe/, test_pxe_boot.o proc.o) \
                 $(BUILD)/obj/tests/metal/qemu_vm.o

$(PXE_TEST): $(PXE_TEST_OBJS) $(BUILD)/lib/libsipctl_boot.a $(PXE_LIB) | $(BUILD)/bin/multiplicity-metal.elf $(BUILD)/bin/multiplicity-metal.efi \
                 $(BUILD)/bin/orchd $(BUILD)/bin/sipctl $(BUILD)/sips/tests/orchestrator/sips/ticker.wasm
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ -lcunit -lcurl -lmicrohttpd -lvirt -lpthread

TESTS += $(PXE_TEST)
