# bench/orchestrator: deploy latency over three nodes vs one local sipnode, failover time
# vs the dead-node time, API round trip vs bare HTTP (all measured in the same run).
# (Paths, not variables: this fragment is included before the ones that define them.)
BENCH_ORCH := $(BUILD)/bench/orchestrator/orch_bench
$(BENCH_ORCH): $(BUILD)/obj/bench/orchestrator/orch_bench.o $(BUILD)/obj/tests/orchestrator/procs.o \
               | $(BUILD)/bin/orchd $(BUILD)/bin/sipctl $(BUILD)/bin/sipnode \
                 $(BUILD)/sips/tests/orchestrator/sips/ticker.wasm $(BUILD)/sips/pipe_source.wasm \
                 $(BUILD)/sips/pipe_upper.wasm $(BUILD)/sips/pipe_sink.wasm
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $(filter %.o,$^) -lcurl -ljansson

BENCHES += $(BENCH_ORCH)
