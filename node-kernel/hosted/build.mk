# node-kernel/hosted: the core as a Linux process. sipnode runs a local manifest.
SIPNODE      := $(BUILD)/bin/sipnode
SIPNODE_OBJS := $(addprefix $(BUILD)/obj/node-kernel/hosted/,sipnode.o manifest.o deploy.o loglines.o runloop.o)
# orchestrator hook: the agent (orch_agent.o) speaks orch.proto and checks module hashes
SIPNODE_OBJS += $(BUILD)/obj/node-kernel/hosted/orch_agent.o $(BUILD)/obj/orchestrator/sha256.o
$(BUILD)/obj/node-kernel/hosted/orch_agent.o: | $(NETCHAN_PROTO_HDRS)

# netchan hook: sipnode links netchan (links, proxies) before the core it calls into
$(SIPNODE): $(SIPNODE_OBJS) $(NETCHAN_LINK) $(NKCORE_HOSTED)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) -lzmq -lprotobuf-c

BINS += $(SIPNODE)
