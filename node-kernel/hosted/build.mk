# node-kernel/hosted: the core as a Linux process. sipnode runs a local manifest.
SIPNODE      := $(BUILD)/bin/sipnode
SIPNODE_OBJS := $(addprefix $(BUILD)/obj/node-kernel/hosted/,sipnode.o manifest.o deploy.o loglines.o runloop.o)

# netchan hook: sipnode links netchan (links, proxies) before the core it calls into
$(SIPNODE): $(SIPNODE_OBJS) $(NETCHAN_LINK) $(NKCORE_HOSTED)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) -lzmq -lprotobuf-c

BINS += $(SIPNODE)
