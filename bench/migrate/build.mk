# bench/migrate: migration downtime (pause -> running on the target) and total time for SIPs
# of 64 KiB, 1 MiB and 16 MiB of linear memory, between kernels of one process and into
# another process over loopback TCP, each against a baseline measured in the same run
# (memcpy / a raw TCP transfer of the same number of bytes). Uses the test SIP and the
# process target of tests/migrate.
# (bench/ is included before node-kernel/, so the core's link list is spelled out here.)
BENCH_MIGRATE := $(BUILD)/bench/migrate/migrate_bench
$(BENCH_MIGRATE): $(BUILD)/obj/bench/migrate/migrate_bench.o \
                  $(addprefix $(BUILD)/obj/tests/migrate/,xfer.o proc_target.o) \
                  $(addprefix $(BUILD)/obj/node-kernel/hosted/,manifest.o deploy.o) \
                  $(BUILD)/lib/libnkcore.a $(BUILD)/obj/node-kernel/hosted/platform_hosted.o \
                  $(BUILD)/lib/libcontracts.a $(BUILD)/lib/libengine.a \
                  $(BUILD)/obj/sips/engine/rt_hosted.o \
                  $(BUILD)/sips/tests/migrate/sips/compute.wasm
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $(filter %.o %.a,$^) $(LDLIBS)

BENCHES += $(BENCH_MIGRATE)

# `sipctl migrate` with orchd and three sipnodes on loopback: command to completion vs
# `sipctl get sips` (the CLI and one API round trip) in the same run.
BENCH_SIPCTL_MIGRATE := $(BUILD)/bench/migrate/sipctl_migrate_bench
$(BENCH_SIPCTL_MIGRATE): $(BUILD)/obj/bench/migrate/sipctl_migrate_bench.o $(BUILD)/obj/tests/orchestrator/procs.o \
                         | $(BUILD)/bin/orchd $(BUILD)/bin/sipctl $(BUILD)/bin/sipnode \
                           $(BUILD)/sips/tests/orchestrator/sips/stream_client.wasm \
                           $(BUILD)/sips/tests/orchestrator/sips/stream_server.wasm
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $(filter %.o,$^) -lcurl -ljansson

BENCHES += $(BENCH_SIPCTL_MIGRATE)
