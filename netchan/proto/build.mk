# netchan/proto: node.proto (node <-> node) and orch.proto (node <-> orchestrator),
# compiled by protoc-c at build time into $(BUILD)/gen/netchan/proto/*.pb-c.[ch] and
# archived as libnetchan_proto.a. Users link $(NETCHAN_PROTO_LIB) -lprotobuf-c and make
# their objects wait for the headers:  $(MY_OBJS): | $(NETCHAN_PROTO_HDRS)
NETCHAN_PROTOS     := netchan/proto/node.proto netchan/proto/orch.proto
NETCHAN_PROTO_GEN  := $(BUILD)/gen/netchan/proto
NETCHAN_PROTO_SRCS := $(NETCHAN_PROTOS:netchan/proto/%.proto=$(NETCHAN_PROTO_GEN)/%.pb-c.c)
NETCHAN_PROTO_HDRS := $(NETCHAN_PROTO_SRCS:.c=.h)
NETCHAN_PROTO_OBJS := $(NETCHAN_PROTOS:netchan/proto/%.proto=$(BUILD)/obj/netchan/proto/%.pb-c.o)
NETCHAN_PROTO_LIB  := $(BUILD)/lib/libnetchan_proto.a

# orch.proto imports node.proto, so its generated code depends on both.
$(NETCHAN_PROTO_GEN)/node.pb-c.c $(NETCHAN_PROTO_GEN)/node.pb-c.h &: netchan/proto/node.proto
	@mkdir -p $(BUILD)/gen
	protoc-c --proto_path=. --c_out=$(BUILD)/gen $<

$(NETCHAN_PROTO_GEN)/orch.pb-c.c $(NETCHAN_PROTO_GEN)/orch.pb-c.h &: netchan/proto/orch.proto netchan/proto/node.proto
	@mkdir -p $(BUILD)/gen
	protoc-c --proto_path=. --c_out=$(BUILD)/gen $<

$(BUILD)/obj/netchan/proto/%.pb-c.o: $(NETCHAN_PROTO_GEN)/%.pb-c.c $(NETCHAN_PROTO_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

$(NETCHAN_PROTO_LIB): $(NETCHAN_PROTO_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

BINS += $(NETCHAN_PROTO_LIB)
