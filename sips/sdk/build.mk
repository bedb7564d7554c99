# sips/sdk: the SIP author's toolchain rules (sip.mk). The SDK itself builds nothing;
# areas that own SIPs add $(BUILD)/sips/*.wasm targets to their BINS/TESTS prerequisites.
include sips/sdk/sip.mk
