# contracts: the contract library (freestanding, linked into the kernels), contractc,
# its tests and the parser fuzz target.
CONTRACTS_SRCS := $(wildcard contracts/*.c)
CONTRACTS_OBJS := $(CONTRACTS_SRCS:%.c=$(BUILD)/obj/%.o)
CONTRACTS_LIB  := $(BUILD)/lib/libcontracts.a
CONTRACTS_RT   := $(BUILD)/obj/sips/engine/rt_hosted.o
CONTRACTC      := $(BUILD)/bin/contractc
CONTRACTC_SRCS := $(wildcard contracts/contractc/*.c)
CONTRACTC_OBJS := $(CONTRACTC_SRCS:%.c=$(BUILD)/obj/%.o)

$(CONTRACTS_OBJS): private CFLAGS += -ffreestanding

$(CONTRACTS_LIB): $(CONTRACTS_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(CONTRACTC): $(CONTRACTC_OBJS) $(CONTRACTS_LIB) $(CONTRACTS_RT)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

BINS += $(CONTRACTS_LIB) $(CONTRACTC)

# Generated from the contract library: SIP headers ($(BUILD)/gen/contracts/<Name>.h, so SIPs
# `#include "contracts/Echo.h"`), kernel tables (<Name>.table.c) and docs (<Name>.md).
CONTRACTS_LIBSRC := $(sort $(wildcard contracts/lib/*.contract))
CONTRACTS_GEN    := $(BUILD)/gen/contracts
CONTRACTS_STAMP  := $(CONTRACTS_GEN)/.stamp

$(CONTRACTS_STAMP): $(CONTRACTC) $(CONTRACTS_LIBSRC)
	@mkdir -p $(CONTRACTS_GEN)
	rm -f $(CONTRACTS_GEN)/*.h $(CONTRACTS_GEN)/*.table.c $(CONTRACTS_GEN)/*.md
	$(CONTRACTC) -q -o $(CONTRACTS_GEN) $(CONTRACTS_LIBSRC)
	@touch $@

# Every library table in one object (their static names are prefixed per contract):
# defines contract_table_<Name> for each contract of contracts/lib.
CONTRACTS_TABLES := $(BUILD)/obj/contracts/lib_tables.o
$(CONTRACTS_TABLES): $(CONTRACTS_STAMP)
	@mkdir -p $(dir $@)
	for f in $(CONTRACTS_GEN)/*.table.c; do echo "#include \"contracts/$${f##*/}\""; done | \
	    $(CC) $(CFLAGS) -x c -c - -o $@

BINS += $(CONTRACTS_STAMP)

# The parser fuzz target (libFuzzer + ASan/UBSan, clang-14), run briefly by the tests.
CONTRACTS_FUZZER := $(BUILD)/tests/contracts/fuzz_contract_parser
$(CONTRACTS_FUZZER): tests/contracts/fuzz_parser.c $(CONTRACTS_SRCS) sips/engine/rt_hosted.c \
                     $(wildcard contracts/*.h)
	@mkdir -p $(dir $@)
	$(CLANG) -std=gnu11 -g -O1 -I. -fsanitize=fuzzer,address,undefined \
	    -fno-sanitize-recover=undefined -o $@ $(filter %.c,$^)

CONTRACTS_TEST      := $(BUILD)/tests/contracts/test_contracts
CONTRACTS_TEST_SRCS := $(filter-out tests/contracts/fuzz_parser.c,$(wildcard tests/contracts/*.c))
CONTRACTS_TEST_OBJS := $(CONTRACTS_TEST_SRCS:%.c=$(BUILD)/obj/%.o)

$(CONTRACTS_TEST_OBJS): private CFLAGS += -DCONTRACTS_BUILD_DIR='"$(BUILD)"'
$(CONTRACTS_TEST_OBJS): $(CONTRACTS_STAMP)

# (the test program brings its own counting rt_malloc: tests/contracts/rt_counting.c)
$(CONTRACTS_TEST): $(CONTRACTS_TEST_OBJS) $(CONTRACTS_TABLES) $(CONTRACTS_LIB) \
                   $(CONTRACTC) $(CONTRACTS_FUZZER)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $(filter %.o %.a,$^) -lcunit

TESTS += $(CONTRACTS_TEST)
