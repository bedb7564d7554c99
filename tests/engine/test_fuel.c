/* Fuel metering and host yields: a paused run continues exactly where it stopped, a
 * looping function is preempted, a yielding host call is retried with the same arguments. */
#include "tests/engine/engine_test.h"

#define WORK_N 3000

static uint64_t run_work_uninterrupted(uint64_t *fuel)
{
    prog_env e;
    wasm_val n = vi32(WORK_N), r = { 0 };
    *fuel = 0;
    if (!prog_open(&e, NULL))
        return 0;
    uint64_t before = wasm_fuel_used(e.s);
    CU_ASSERT_EQUAL(call1(&e, "work", &n, &r), WASM_RUN_DONE);
    *fuel = wasm_fuel_used(e.s) - before;
    prog_close(&e);
    return r.of.i64;
}

static void test_pause_resume_equal(void)
{
    uint64_t fuel_whole = 0;
    uint64_t want = run_work_uninterrupted(&fuel_whole);
    CU_ASSERT(want != 0);
    CU_ASSERT(fuel_whole > 10000);

    prog_env e;
    wasm_err err;
    CU_ASSERT_FATAL(prog_open(&e, NULL));
    wasm_val n = vi32(WORK_N), r;
    uint64_t before = wasm_fuel_used(e.s);
    CU_ASSERT_FATAL(wasm_invoke_begin(e.s, export_func(e.inst, "work"), &n, 1, &err) == WASM_OK);
    unsigned pauses = 0;
    wasm_run_status st;
    while ((st = wasm_run(e.s, 500)) == WASM_RUN_FUEL) {
        pauses++;
        CU_ASSERT(!wasm_thread_idle(e.s));
    }
    CU_ASSERT_EQUAL(st, WASM_RUN_DONE);
    CU_ASSERT(pauses > 10);
    CU_ASSERT_EQUAL(wasm_results(e.s, &r, 1), 1);
    CU_ASSERT_EQUAL(r.of.i64, want);
    /* the same fuel points were charged, only split over many runs */
    CU_ASSERT_EQUAL(wasm_fuel_used(e.s) - before, fuel_whole);
    prog_close(&e);
}

static void test_zero_budget(void)
{
    prog_env e;
    wasm_err err;
    CU_ASSERT_FATAL(prog_open(&e, NULL));
    wasm_val a = vi64(10), r;
    CU_ASSERT_FATAL(wasm_invoke_begin(e.s, export_func(e.inst, "fac"), &a, 1, &err) == WASM_OK);
    uint64_t before = wasm_fuel_used(e.s);
    CU_ASSERT_EQUAL(wasm_run(e.s, 0), WASM_RUN_FUEL);
    CU_ASSERT_EQUAL(wasm_fuel_used(e.s), before);
    CU_ASSERT_EQUAL(wasm_run(e.s, UINT64_MAX), WASM_RUN_DONE);
    wasm_results(e.s, &r, 1);
    CU_ASSERT_EQUAL(r.of.i64, 3628800);
    prog_close(&e);
}

static void test_loop_preempted(void)
{
    prog_env e;
    wasm_err err;
    CU_ASSERT_FATAL(prog_open(&e, NULL));
    CU_ASSERT_FATAL(wasm_invoke_begin(e.s, export_func(e.inst, "spin"), NULL, 0, &err) == WASM_OK);
    for (int i = 0; i < 5; i++) {
        uint64_t before = wasm_fuel_used(e.s);
        CU_ASSERT_EQUAL(wasm_run(e.s, 100000), WASM_RUN_FUEL);
        uint64_t used = wasm_fuel_used(e.s) - before;
        CU_ASSERT(used >= 100000 && used < 100100);
    }
    /* the busy store cannot start another call */
    CU_ASSERT_EQUAL(wasm_invoke_begin(e.s, export_func(e.inst, "spin"), NULL, 0, &err), WASM_ERR_ARG);
    prog_close(&e);
}

static void test_host_yield_retry(void)
{
    prog_env e;
    wasm_err err;
    CU_ASSERT_FATAL(prog_open(&e, NULL));
    e.hs.yield_times = 2;
    wasm_val a = vi32(21), r;
    CU_ASSERT_FATAL(wasm_invoke_begin(e.s, export_func(e.inst, "call_yieldy"), &a, 1, &err) == WASM_OK);
    CU_ASSERT_EQUAL(wasm_run(e.s, UINT64_MAX), WASM_RUN_YIELD);
    CU_ASSERT_EQUAL(wasm_run(e.s, UINT64_MAX), WASM_RUN_YIELD);
    CU_ASSERT_EQUAL(e.hs.yieldy_calls, 2);
    CU_ASSERT_EQUAL(wasm_run(e.s, UINT64_MAX), WASM_RUN_DONE);
    CU_ASSERT_EQUAL(e.hs.yieldy_calls, 3);
    CU_ASSERT_EQUAL(e.hs.last_arg, 21);
    CU_ASSERT_EQUAL(wasm_results(e.s, &r, 1), 1);
    CU_ASSERT_EQUAL(r.of.i32, 43);
    /* invoking the host import directly also yields and retries */
    e.hs.yield_times = 1;
    CU_ASSERT_FATAL(wasm_invoke_begin(e.s, e.imports[0].addr, &a, 1, &err) == WASM_OK);
    CU_ASSERT_EQUAL(wasm_run(e.s, UINT64_MAX), WASM_RUN_YIELD);
    CU_ASSERT_EQUAL(wasm_run(e.s, UINT64_MAX), WASM_RUN_DONE);
    wasm_results(e.s, &r, 1);
    CU_ASSERT_EQUAL(r.of.i32, 42);
    prog_close(&e);
}

static void test_start_fuel(void)
{
    /* instantiate with a start-fuel limit: the spin export is not the start, so this only
     * checks that a limited start_fuel with no start function succeeds */
    prog_env e;
    CU_ASSERT_FATAL(prog_open(&e, NULL));
    wasm_instance *inst;
    wasm_err err;
    CU_ASSERT_EQUAL(wasm_instantiate(e.s, e.m, e.imports, 3, true, 10, &inst, &err), WASM_OK);
    prog_close(&e);
}

void add_fuel_suite(void)
{
    CU_pSuite s = CU_add_suite("engine_fuel", NULL, NULL);
    CU_add_test(s, "paused and resumed run equals uninterrupted", test_pause_resume_equal);
    CU_add_test(s, "zero budget makes no progress", test_zero_budget);
    CU_add_test(s, "infinite loop is preempted", test_loop_preempted);
    CU_add_test(s, "host yield is retried", test_host_yield_retry);
    CU_add_test(s, "instantiate with start fuel", test_start_fuel);
}
