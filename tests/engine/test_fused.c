/* The compiler's superinstructions give the same results and traps as the plain wasm
 * instructions they replace: counted-loop branches, f64 arithmetic on loaded values,
 * shift/rotate mixes and a br_table on a loaded byte (functions in wat/prog.wat). */
#include "tests/engine/engine_test.h"

static prog_env env;

static int32_t run_i32(const char *name, int32_t a)
{
    wasm_val arg = vi32(a), r;
    r.of.i64 = 0;
    CU_ASSERT_EQUAL(call1(&env, name, &arg, &r), WASM_RUN_DONE);
    return (int32_t)r.of.i32;
}

static void test_counted_loops(void)
{
    CU_ASSERT_FATAL(prog_open(&env, NULL));
    CU_ASSERT_EQUAL(run_i32("count_ne", 10), 45);
    CU_ASSERT_EQUAL(run_i32("count_ne", 1000), 499500);
    CU_ASSERT_EQUAL(run_i32("count_lt_k", 0), 34);
    CU_ASSERT_EQUAL(run_i32("count_lt_k", 98), 1);
    CU_ASSERT_EQUAL(run_i32("count_lt_k", 200), 1);
    prog_close(&env);
}

static void test_f64_loadops(void)
{
    CU_ASSERT_FATAL(prog_open(&env, NULL));
    wasm_val arg = vi32(64), r;
    CU_ASSERT_EQUAL(call1(&env, "f64_loadops", &arg, &r), WASM_RUN_DONE);
    CU_ASSERT_EQUAL(r.type, WASM_F64);
    CU_ASSERT_DOUBLE_EQUAL(r.of.f64, (1.5 * 3 + 0.5 - 2) / 4, 0.0);
    /* the fused load still traps out of bounds */
    arg = vi32(65536 - 8);
    CU_ASSERT_EQUAL(call1(&env, "f64_loadops", &arg, &r), WASM_RUN_TRAP);
    CU_ASSERT_EQUAL(wasm_run_trap(env.s, NULL), WASM_TRAP_MEMORY_OOB);
    prog_close(&env);
}

static uint32_t rotl(uint32_t x, int k) { return (x << k) | (x >> (32 - k)); }

static void test_shift_mix(void)
{
    CU_ASSERT_FATAL(prog_open(&env, NULL));
    const uint32_t xs[] = { 0, 1, 0x80000000u, 0x12345678u, 0xdeadbeefu };
    for (size_t i = 0; i < sizeof xs / sizeof xs[0]; i++) {
        uint32_t x = xs[i];
        uint32_t want = (rotl(x, 25) ^ rotl(x, 14) ^ (x >> 3)) + ((x & rotl(x, 25)) | (x << 5));
        CU_ASSERT_EQUAL((uint32_t)run_i32("shift_mix", (int32_t)x), want);
    }
    prog_close(&env);
}

static void test_byte_dispatch(void)
{
    CU_ASSERT_FATAL(prog_open(&env, NULL));
    CU_ASSERT_EQUAL(run_i32("byte_dispatch", 199), 10);
    CU_ASSERT_EQUAL(run_i32("byte_dispatch", 200), 11);
    CU_ASSERT_EQUAL(run_i32("byte_dispatch", 201), 12);
    wasm_val arg = vi32(65535);
    CU_ASSERT_EQUAL(call1(&env, "byte_dispatch", &arg, NULL), WASM_RUN_TRAP);
    CU_ASSERT_EQUAL(wasm_run_trap(env.s, NULL), WASM_TRAP_MEMORY_OOB);
    arg = vi32(-1);     /* p + 1 wraps to address 0 */
    CU_ASSERT_EQUAL(call1(&env, "byte_dispatch", &arg, NULL), WASM_RUN_DONE);
    prog_close(&env);
}

void add_fused_suite(void)
{
    CU_pSuite s = CU_add_suite("engine superinstructions", NULL, NULL);
    CU_add_test(s, "counted loops (increment fused into the branch)", test_counted_loops);
    CU_add_test(s, "f64 arithmetic on loaded operands", test_f64_loadops);
    CU_add_test(s, "shift and rotate mixes", test_shift_mix);
    CU_add_test(s, "br_table on a loaded byte", test_byte_dispatch);
}
