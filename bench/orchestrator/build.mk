# bench/orchestrator: deploy latency over three nodes vs one local sipnode, failover time
# vs the dead-node time, API round trip vs bare HTTP (all measured in the same run).
BENCH_ORCH := $(BUILD)/bench/orchestrator/orch_bench
$(BENCH_ORCH): $(BUILD)/obj/bench/orchestrator/orch_bench.o $(BUILD)/obj/tests/orchestrator/procs.o \
               | $(ORCHD) $(SIPCTL) $(SIPNODE) $(ORT_SIPS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $(filter %.o,$^) -lcurl -ljansson

BENCHES += $(BENCH_ORCH)
