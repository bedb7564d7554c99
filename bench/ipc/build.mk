# bench/ipc: channel round trip between two SIPs on one node vs a pipe ping-pong between
# two Linux processes (same run, ratio printed).
# (bench/ is included before node-kernel/, so the core's link list is spelled out here.)
BENCH_CORE_LIBS := $(BUILD)/lib/libnkcore.a $(BUILD)/obj/node-kernel/hosted/platform_hosted.o \
                   $(BUILD)/lib/libcontracts.a $(BUILD)/lib/libengine.a \
                   $(BUILD)/obj/sips/engine/rt_hosted.o

BENCH_IPC_NATIVE := $(BUILD)/bench/ipc/ipc_native
$(BENCH_IPC_NATIVE): $(addprefix $(BUILD)/obj/bench/ipc/,ipc_native.o pipe_pingpong.o) $(BENCH_CORE_LIBS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

BENCHES += $(BENCH_IPC_NATIVE)
