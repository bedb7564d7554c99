# bench/spawn: SIP create+start+exit vs posix_spawn of a tiny static binary (same run,
# ratio printed). Uses $(BENCH_CORE_LIBS) from bench/ipc/build.mk.
BENCH_SPAWN      := $(BUILD)/bench/spawn/spawn
BENCH_SPAWN_TINY := $(BUILD)/bench/spawn/tiny

$(BENCH_SPAWN_TINY): bench/spawn/tiny.c
	@mkdir -p $(dir $@)
	$(CC) -O2 -static -o $@ $<

$(BENCH_SPAWN): $(BUILD)/obj/bench/spawn/spawn.o $(BUILD)/obj/bench/ipc/pipe_pingpong.o \
                $(BUILD)/obj/node-kernel/hosted/deploy.o $(BUILD)/obj/node-kernel/hosted/manifest.o \
                $(BENCH_CORE_LIBS) $(BENCH_SPAWN_TINY) $(BUILD)/sips/bench/spawn/tiny_sip.wasm
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $(filter %.o %.a,$^) $(LDLIBS)

BENCHES += $(BENCH_SPAWN)
