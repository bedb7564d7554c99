# pxe/efistub: the node kernel as a UEFI application (PE32+), for iPXE's EFI build and
# UEFI firmware, which start nothing else: a small stub built with clang-14 for the
# PE/COFF target and linked by lld-link, carrying the Multiboot kernel image inside.
EFISTUB_DIR    := pxe/efistub
EFISTUB_OBJDIR := $(BUILD)/efistub
EFISTUB_IMAGE  := $(BUILD)/bin/multiplicity-metal.efi
EFISTUB_CFLAGS := --target=x86_64-unknown-windows -ffreestanding -fshort-wchar -mno-red-zone \
                  -fno-stack-protector -mgeneral-regs-only -nostdlib -O2 -g0 -Wall -Wextra -I.

$(EFISTUB_OBJDIR)/%.o: $(EFISTUB_DIR)/%.c $(EFISTUB_DIR)/efi.h node-kernel/metal/multiboot.h
	@mkdir -p $(dir $@)
	clang-14 $(EFISTUB_CFLAGS) -c $< -o $@

$(EFISTUB_OBJDIR)/trampoline.o: $(EFISTUB_DIR)/trampoline.S
	@mkdir -p $(dir $@)
	clang-14 $(EFISTUB_CFLAGS) -c $< -o $@

$(EFISTUB_OBJDIR)/kernel_blob.o: $(EFISTUB_DIR)/kernel_blob.S $(BUILD)/bin/multiplicity-metal.elf
	@mkdir -p $(dir $@)
	clang-14 $(EFISTUB_CFLAGS) '-DKERNEL_IMAGE="$(BUILD)/bin/multiplicity-metal.elf"' -c $< -o $@

$(EFISTUB_IMAGE): $(addprefix $(EFISTUB_OBJDIR)/, efi_stub.o trampoline.o kernel_blob.o)
	@mkdir -p $(dir $@)
	lld-link-14 -subsystem:efi_application -entry:efi_main -nodefaultlib -out:$@ $^

BINS += $(EFISTUB_IMAGE)
