# sips/apps: example SIPs (built with the SDK rules of sips/sdk/sip.mk) and the local
# manifests (*.sipm) that run them with sipnode. They include contract stubs generated
# by contractc into $(BUILD)/gen/contracts.
APPS_SRCS := $(wildcard sips/apps/*.c)
APPS_WASM := $(patsubst sips/apps/%.c,$(BUILD)/sips/%.wasm,$(APPS_SRCS))

$(APPS_WASM): $(CONTRACTS_STAMP) sips/sdk/sip.h

BINS += $(APPS_WASM)
