# bench/contracts: cost of the run-time contract checks and of parsing, against baselines
# measured in the same run (see contract_bench.c).
CONTRACT_BENCH := $(BUILD)/bench/contracts/contract_bench

$(CONTRACT_BENCH): $(BUILD)/obj/bench/contracts/contract_bench.o $(BUILD)/lib/libcontracts.a \
                   $(CONTRACTS_RT)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^

BENCHES += $(CONTRACT_BENCH)
