# contracts: the contract library (freestanding, linked into the kernels), contractc,
# its tests and the parser fuzz target.
CONTRACTS_SRCS := $(wildcard contracts/*.c)
CONTRACTS_OBJS := $(CONTRACTS_SRCS:%.c=$(BUILD)/obj/%.o)
CONTRACTS_LIB  := $(BUILD)/lib/libcontracts.a
CONTRACTS_RT   := $(BUILD)/obj/contracts/contractc/rt_libc.o
CONTRACTC      := $(BUILD)/bin/contractc
CONTRACTC_SRCS := $(filter-out contracts/contractc/rt_libc.c,$(wildcard contracts/contractc/*.c))
CONTRACTC_OBJS := $(CONTRACTC_SRCS:%.c=$(BUILD)/obj/%.o)

$(CONTRACTS_OBJS): CFLAGS += -ffreestanding

$(CONTRACTS_LIB): $(CONTRACTS_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(CONTRACTC): $(CONTRACTC_OBJS) $(CONTRACTS_LIB) $(CONTRACTS_RT)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

BINS += $(CONTRACTS_LIB) $(CONTRACTC)
