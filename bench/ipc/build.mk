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

BENCH_IPC_WASM := $(BUILD)/bench/ipc/ipc_wasm
$(BUILD)/sips/bench/ipc/ping_client.wasm: $(BUILD)/gen/contracts/.stamp sips/sdk/sip.h
$(BENCH_IPC_WASM): $(addprefix $(BUILD)/obj/bench/ipc/,ipc_wasm.o pipe_pingpong.o) \
                   $(addprefix $(BUILD)/obj/node-kernel/hosted/,manifest.o deploy.o) $(BENCH_CORE_LIBS) \
                   $(BUILD)/sips/bench/ipc/ping_client.wasm $(BUILD)/sips/echo_server.wasm
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $(filter %.o %.a,$^) $(LDLIBS)

BENCHES += $(BENCH_IPC_WASM)
