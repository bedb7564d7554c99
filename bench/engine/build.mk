# bench/engine: compute programs built natively (gcc -O2) and as SIPs (clang-14 -O2 via
# sips/sdk/sip.mk), and engine_bench, which runs both on the same input, checks their
# checksums agree and prints the time ratio per program plus the geometric mean.
BENCH_ENGINE_PROGS  := sha256 nbody sort matmul crc32 lz77 vm
BENCH_ENGINE_NATIVE := $(BENCH_ENGINE_PROGS:%=$(BUILD)/bench/engine/native/%)
BENCH_ENGINE_WASM   := $(BENCH_ENGINE_PROGS:%=$(BUILD)/sips/bench/engine/progs/%.wasm)
BENCH_ENGINE_EXEC   := $(BUILD)/obj/bench/engine/bench_exec.o $(BUILD)/obj/node-kernel/core/wasi.o \
                       $(BUILD)/obj/node-kernel/hosted/platform_hosted.o
ENGINE_BENCH        := $(BUILD)/bench/engine/engine_bench
BENCH_NATIVE_CFLAGS := -std=gnu11 -O2 -Wall -Wextra

# the native baseline: plain gcc -O2, no project flags, one executable per program
$(BUILD)/bench/engine/native/%: bench/engine/progs/%.c bench/engine/progs/bench_common.h
	@mkdir -p $(dir $@)
	$(CC) $(BENCH_NATIVE_CFLAGS) -o $@ $< -lm

# (this fragment is read before sips/engine's, so the engine paths are spelled out)
BENCH_ENGINE_LIBS   := $(BUILD)/lib/libengine.a $(BUILD)/obj/sips/engine/rt_hosted.o

$(ENGINE_BENCH): $(BUILD)/obj/bench/engine/engine_bench.o $(BENCH_ENGINE_EXEC) $(BENCH_ENGINE_LIBS) \
                 | $(BENCH_ENGINE_NATIVE) $(BENCH_ENGINE_WASM)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $(filter %.o %.a,$^) -lm

BENCH_ENGINE_ALL := $(ENGINE_BENCH) $(BENCH_ENGINE_NATIVE) $(BENCH_ENGINE_WASM)
BENCHES += $(ENGINE_BENCH)
