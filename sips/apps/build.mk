# sips/apps: example SIPs (built with the SDK rules of sips/sdk/sip.mk) and the local
# manifests (*.sipm) that run them with sipnode. They include contract stubs generated
# by contractc: the library's into $(BUILD)/gen/contracts, and the apps' own contracts
# (sips/apps/*.contract) into $(BUILD)/gen/apps.
APPS_SRCS := $(wildcard sips/apps/*.c)
APPS_WASM := $(patsubst sips/apps/%.c,$(BUILD)/sips/%.wasm,$(APPS_SRCS))
APPS_CONTRACTS := $(wildcard sips/apps/*.contract)
APPS_GEN_STAMP := $(BUILD)/gen/apps/.stamp

$(APPS_GEN_STAMP): $(CONTRACTC) $(APPS_CONTRACTS)
	@mkdir -p $(dir $@)
	$(CONTRACTC) -q -o $(dir $@) $(APPS_CONTRACTS)
	@touch $@

$(APPS_WASM): $(CONTRACTS_STAMP) $(APPS_GEN_STAMP) sips/sdk/sip.h

BINS += $(APPS_WASM)
