# node-kernel/core: the platform-neutral node kernel (exchange heap, channels, SIP table,
# scheduler, the `sip` and WASI host modules) as one static library. A platform links it
# with its platform.h implementation, $(ENGINE_LIB) and $(CONTRACTS_LIB):
#   $(NKCORE_LIB) $(CONTRACTS_LIB) $(ENGINE_LIB) <platform objects> + rt_malloc provider
NKCORE_SRCS := $(wildcard node-kernel/core/*.c)
NKCORE_OBJS := $(NKCORE_SRCS:%.c=$(BUILD)/obj/%.o)
NKCORE_LIB  := $(BUILD)/lib/libnkcore.a
# Everything a hosted program needs to run the core (order matters for static linking).
NKCORE_HOSTED := $(NKCORE_LIB) $(BUILD)/obj/node-kernel/hosted/platform_hosted.o \
                 $(BUILD)/lib/libcontracts.a $(BUILD)/lib/libengine.a \
                 $(BUILD)/obj/sips/engine/rt_hosted.o

$(NKCORE_OBJS): CFLAGS += -ffreestanding

$(NKCORE_LIB): $(NKCORE_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

BINS += $(NKCORE_LIB)
