# netchan: channels across nodes over libzmq (links, proxies, marshalling, routes) as
# libnetchan.a. Users link $(NETCHAN_LIB) $(BUILD)/lib/libnetchan_proto.a before the
# node-kernel libraries, with -lzmq -lprotobuf-c. (This fragment is read before
# netchan/proto/build.mk, so the generated header is named by its path here.)
NETCHAN_SRCS := $(wildcard netchan/*.c)
NETCHAN_OBJS := $(NETCHAN_SRCS:%.c=$(BUILD)/obj/%.o)
NETCHAN_LIB  := $(BUILD)/lib/libnetchan.a
NETCHAN_LINK := $(NETCHAN_LIB) $(BUILD)/lib/libnetchan_proto.a

$(NETCHAN_OBJS): | $(BUILD)/gen/netchan/proto/node.pb-c.h

$(NETCHAN_LIB): $(NETCHAN_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

BINS += $(NETCHAN_LIB)
