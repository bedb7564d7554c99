# node-kernel/hosted: the core as a Linux process. sipnode runs a local manifest.
SIPNODE      := $(BUILD)/bin/sipnode
SIPNODE_OBJS := $(addprefix $(BUILD)/obj/node-kernel/hosted/,sipnode.o manifest.o deploy.o loglines.o runloop.o)

$(SIPNODE): $(SIPNODE_OBJS) $(NKCORE_HOSTED)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

BINS += $(SIPNODE)
