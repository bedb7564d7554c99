# node-kernel/metal: the bare-metal x86_64 node kernel, a Multiboot 1 image for QEMU
# -kernel and iPXE. Freestanding objects get their own flags and directory
# ($(BUILD)/metal); the image is linked at 1 MiB as ELF64 and converted to ELF32,
# which is what Multiboot loaders accept.
METAL_DIR    := node-kernel/metal
METAL_OBJDIR := $(BUILD)/metal
METAL_KERNEL := $(BUILD)/bin/multiplicity-metal.elf

# lwIP comes from Debian's source package, fetched into $(BUILD)/lwip at build time.
LWIP_DIR   := $(BUILD)/lwip
LWIP_STAMP := $(LWIP_DIR)/.fetched
LWIP_SRCS  := $(addprefix $(LWIP_DIR)/src/core/, init.c def.c inet_chksum.c ip.c mem.c memp.c \
                  netif.c pbuf.c stats.c sys.c tcp.c tcp_in.c tcp_out.c timeouts.c udp.c) \
              $(addprefix $(LWIP_DIR)/src/core/ipv4/, dhcp.c etharp.c icmp.c ip4.c ip4_addr.c ip4_frag.c) \
              $(LWIP_DIR)/src/netif/ethernet.c

METAL_C   := $(wildcard $(METAL_DIR)/*.c) $(METAL_DIR)/libc/libc.c $(METAL_DIR)/lwip/sys_arch.c
METAL_ASM := $(wildcard $(METAL_DIR)/*.S)
METAL_OBJS := $(METAL_C:%.c=$(METAL_OBJDIR)/%.o) $(METAL_ASM:%.S=$(METAL_OBJDIR)/%.o) \
              $(LWIP_SRCS:%.c=$(METAL_OBJDIR)/%.o)

$(LWIP_STAMP): $(METAL_DIR)/fetch-lwip.sh
	$(METAL_DIR)/fetch-lwip.sh $(LWIP_DIR)
$(LWIP_SRCS): $(LWIP_STAMP)

METAL_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Wno-unused-parameter -fno-strict-aliasing \
    -ffreestanding -fno-stack-protector -fno-pic -fno-pie -mno-red-zone -mcmodel=small \
    -fno-asynchronous-unwind-tables -fno-tree-loop-distribute-patterns -mgeneral-regs-only \
    -nostdinc -isystem $(shell $(CC) -print-file-name=include) \
    -I$(METAL_DIR)/libc/include -I. -I$(METAL_OBJDIR)/gen \
    -I$(METAL_DIR)/lwip -I$(LWIP_DIR)/src/include

$(METAL_OBJDIR)/%.o: %.c | $(LWIP_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(METAL_CFLAGS) -MMD -MP -c $< -o $@

$(METAL_OBJDIR)/%.o: %.S
	@mkdir -p $(dir $@)
	$(CC) $(METAL_CFLAGS) -D__ASSEMBLY__ -c $< -o $@

# interrupt code must leave SSE registers alone
$(METAL_OBJDIR)/$(METAL_DIR)/idt.o: METAL_CFLAGS += -mgeneral-regs-only

$(METAL_KERNEL): $(METAL_OBJS) $(METAL_DIR)/linker.ld
	@mkdir -p $(dir $@)
	ld -nostdlib -static -z max-page-size=0x1000 -T $(METAL_DIR)/linker.ld -o $@.64 \
	    $(METAL_OBJS) $(shell $(CC) -print-libgcc-file-name)
	objcopy -I elf64-x86-64 -O elf32-i386 $@.64 $@

BINS += $(METAL_KERNEL)
-include $(shell find $(METAL_OBJDIR) -name '*.d' 2>/dev/null)
