# pxe/: network boot. libpxe holds the iPXE scripts and the dnsmasq configuration
# generator; the orchestrator's boot routes, `sipctl pxe` and `sipctl fleet` live in
# orchestrator/ (their files are listed here, so that orchestrator/'s own build.mk
# stays its owner's) and are linked into orchd and sipctl below.
PXE_LIB     := $(BUILD)/lib/libpxe.a
PXE_OBJS    := $(addprefix $(BUILD)/obj/pxe/, ipxe_script.o dnsmasq_conf.o)
BOOT_OBJS   := $(addprefix $(BUILD)/obj/orchestrator/, http_boot.o boot_server.o sipctl_pxe.o \
                   sipctl_fleet.o fleet_libvirt.o fleet_state.o fleet_progress.o)

$(PXE_LIB): $(PXE_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/lib/libsipctl_boot.a: $(BOOT_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

BINS += $(PXE_LIB)

# orchd carries the boot routes on a listener of its own (orchestrator/orchd_boot.c,
# enabled by --boot IP:PORT). Extra prerequisites of orchd's link: its recipe links $^.
ORCHD_BOOT_OBJS := $(addprefix $(BUILD)/obj/orchestrator/, orchd_boot.o boot_server.o http_boot.o)
$(BUILD)/bin/orchd: $(ORCHD_BOOT_OBJS) $(PXE_LIB)

# sipctl runs `pxe` and `fleet` itself: extra prerequisites of its link (recipe links $^;
# make turns -lNAME prerequisites into the library's path).
$(BUILD)/bin/sipctl: $(BUILD)/lib/libsipctl_boot.a $(PXE_LIB) -lmicrohttpd -lvirt
