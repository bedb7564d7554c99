# sips/sdk: the SIP author's toolchain rules (sip.mk). The SDK itself builds nothing;
# areas that own SIPs add $(BUILD)/sips/*.wasm targets to their BINS/TESTS prerequisites.
include sips/sdk/sip.mk

# siprun: run one WASI-only SIP outside a node (node-kernel/hosted/siprun.c)
SIPRUN := $(BUILD)/bin/siprun
$(SIPRUN): $(BUILD)/obj/node-kernel/hosted/siprun.o $(BUILD)/obj/node-kernel/core/wasi.o \
           $(BUILD)/obj/node-kernel/hosted/platform_hosted.o $(ENGINE_HOSTED)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^
BINS += $(SIPRUN)
