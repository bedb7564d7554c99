# pxe/: network boot. libpxe holds the iPXE scripts and the dnsmasq configuration
# generator; the orchestrator's boot routes, `sipctl pxe` and `sipctl fleet` live in
# orchestrator/ (their files are listed here, so that orchestrator/'s own build.mk
# stays its owner's) and are linked into `sipctl-boot` until sipctl itself takes them.
PXE_LIB     := $(BUILD)/lib/libpxe.a
PXE_OBJS    := $(addprefix $(BUILD)/obj/pxe/, ipxe_script.o dnsmasq_conf.o)
BOOT_OBJS   := $(addprefix $(BUILD)/obj/orchestrator/, http_boot.o boot_server.o sipctl_pxe.o \
                   sipctl_fleet.o fleet_libvirt.o fleet_state.o fleet_progress.o)
SIPCTL_BOOT := $(BUILD)/bin/sipctl-boot

$(PXE_LIB): $(PXE_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/lib/libsipctl_boot.a: $(BOOT_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(SIPCTL_BOOT): $(BUILD)/obj/orchestrator/sipctl_boot_main.o $(BUILD)/lib/libsipctl_boot.a $(PXE_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ -lmicrohttpd -lvirt -lpthread

BINS += $(PXE_LIB) $(SIPCTL_BOOT)

# orchd carries the boot routes on a listener of its own (orchestrator/orchd_boot.c,
# enabled by --boot IP:PORT). Extra prerequisites of orchd's link: its recipe links $^.
ORCHD_BOOT_OBJS := $(addprefix $(BUILD)/obj/orchestrator/, orchd_boot.o boot_server.o http_boot.o)
$(BUILD)/bin/orchd: $(ORCHD_BOOT_OBJS) $(PXE_LIB)
