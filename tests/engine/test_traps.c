/* Every trap kind: the run reports it with the spec's wording, the thread is reset and
 * the store stays usable. Also host traps, exits and the memory quota. */
#include "tests/engine/engine_test.h"
#include <math.h>
#include <string.h>

static prog_env env;

static int open_env(void) { return prog_open(&env, NULL) ? 0 : 1; }
static int close_env(void) { prog_close(&env); return 0; }

/* Call name(arg) expecting trap t with message text; then check the store still works. */
static void expect_trap(const char *name, const wasm_val *arg, wasm_trap t, const char *text)
{
    CU_ASSERT_EQUAL(call1(&env, name, arg, NULL), WASM_RUN_TRAP);
    const char *msg = NULL;
    CU_ASSERT_EQUAL(wasm_run_trap(env.s, &msg), t);
    CU_ASSERT_PTR_NOT_NULL_FATAL(msg);
    CU_ASSERT_STRING_EQUAL(msg, text);
    CU_ASSERT(wasm_thread_idle(env.s));
    wasm_val a = vi64(5), r;
    CU_ASSERT_EQUAL(call1(&env, "fac", &a, &r), WASM_RUN_DONE);
    CU_ASSERT_EQUAL(r.of.i64, 120);
}

static void test_unreachable(void) { expect_trap("unreachable", NULL, WASM_TRAP_UNREACHABLE, "unreachable"); }

static void test_memory_oob(void)
{
    expect_trap("oob", NULL, WASM_TRAP_MEMORY_OOB, "out of bounds memory access");
    /* address + offset beyond 4 GiB must not wrap around */
    wasm_val a = vi32(1);
    expect_trap("oob_far", &a, WASM_TRAP_MEMORY_OOB, "out of bounds memory access");
}

static void test_table_oob(void) { expect_trap("table_oob", NULL, WASM_TRAP_TABLE_OOB, "out of bounds table access"); }

static void test_div_zero(void)
{
    wasm_val a = vi32(0), r;
    expect_trap("div0", &a, WASM_TRAP_DIV_ZERO, "integer divide by zero");
    a = vi32(2);
    CU_ASSERT_EQUAL(call1(&env, "div0", &a, &r), WASM_RUN_DONE);
    CU_ASSERT_EQUAL(r.of.i32, 0);
}

static void test_overflow(void)
{
    wasm_val a = vi32(-1), r;
    expect_trap("overflow", &a, WASM_TRAP_INT_OVERFLOW, "integer overflow");
    a = vi32(2);
    CU_ASSERT_EQUAL(call1(&env, "overflow", &a, &r), WASM_RUN_DONE);
    CU_ASSERT_EQUAL((int32_t)r.of.i32, -1073741824);
}

static void test_conversion(void)
{
    wasm_val a = vf32(NAN), r;
    expect_trap("badconv", &a, WASM_TRAP_INVALID_CONVERSION, "invalid conversion to integer");
    a = vf32(3e9f);
    expect_trap("badconv", &a, WASM_TRAP_INT_OVERFLOW, "integer overflow");
    a = vf32(-2147483648.0f);
    CU_ASSERT_EQUAL(call1(&env, "badconv", &a, &r), WASM_RUN_DONE);
    CU_ASSERT_EQUAL(r.of.i32, 0x80000000u);
    wasm_val d = vf64(-0.9);
    CU_ASSERT_EQUAL(call1(&env, "convrange", &d, &r), WASM_RUN_DONE);
    CU_ASSERT_EQUAL(r.of.i32, 0);
    d = vf64(4294967296.0);
    expect_trap("convrange", &d, WASM_TRAP_INT_OVERFLOW, "integer overflow");
}

static void test_indirect(void)
{
    expect_trap("undef_elem", NULL, WASM_TRAP_UNDEFINED_ELEMENT, "undefined element");
    expect_trap("uninit", NULL, WASM_TRAP_UNINITIALIZED, "uninitialized element");
    expect_trap("mismatch", NULL, WASM_TRAP_INDIRECT_MISMATCH, "indirect call type mismatch");
}

static void test_stack(void)
{
    wasm_val a = vi32(0);
    expect_trap("recurse", &a, WASM_TRAP_STACK_EXHAUSTED, "call stack exhausted");
    /* a small value stack runs out before the depth limit */
    prog_env small;
    wasm_limits_cfg lim = { 0, 64 * 1024, 100000 };
    CU_ASSERT_FATAL(prog_open(&small, &lim));
    CU_ASSERT_EQUAL(call1(&small, "recurse", &a, NULL), WASM_RUN_TRAP);
    CU_ASSERT_EQUAL(wasm_run_trap(small.s, NULL), WASM_TRAP_STACK_EXHAUSTED);
    prog_close(&small);
}

static void test_host_trap_and_exit(void)
{
    expect_trap("call_fail", NULL, WASM_TRAP_HOST, "host says no");
    CU_ASSERT_EQUAL(call1(&env, "call_quit", NULL, NULL), WASM_RUN_EXIT);
    CU_ASSERT_EQUAL(wasm_run_exit_code(env.s), 7);
    CU_ASSERT(wasm_thread_idle(env.s));
}

static void test_memory_quota(void)
{
    /* quota of 2 pages: the module's 1 page fits, growing by 1 works, by 1 more traps */
    prog_env q;
    wasm_limits_cfg lim = { 2 * 65536, 0, 0 };
    CU_ASSERT_FATAL(prog_open(&q, &lim));
    wasm_val a = vi32(1), r;
    CU_ASSERT_EQUAL(call1(&q, "grow", &a, &r), WASM_RUN_DONE);
    CU_ASSERT_EQUAL(r.of.i32, 1);
    CU_ASSERT_EQUAL(call1(&q, "grow", &a, NULL), WASM_RUN_TRAP);
    CU_ASSERT_EQUAL(wasm_run_trap(q.s, NULL), WASM_TRAP_MEMORY_LIMIT);
    /* beyond the module's own maximum (8 pages) is the ordinary -1 */
    a = vi32(100);
    CU_ASSERT_EQUAL(call1(&q, "grow", &a, &r), WASM_RUN_DONE);
    CU_ASSERT_EQUAL(r.of.i32, 0xFFFFFFFFu);
    prog_close(&q);
    /* a quota below the initial memory refuses instantiation */
    wasm_module *m;
    wasm_err err;
    CU_ASSERT_FATAL(wasm_module_load(prog_wasm, prog_wasm_len, &m, &err) == WASM_OK);
    wasm_limits_cfg tiny = { 1000, 0, 0 };
    wasm_store *s = wasm_store_new(&tiny);
    host_state hs = { 0 };
    wasm_extern im[3];
    prog_host_imports(s, &hs, im);
    wasm_instance *inst;
    CU_ASSERT_EQUAL(wasm_instantiate(s, m, im, 3, true, 0, &inst, &err), WASM_ERR_LIMIT);
    wasm_store_free(s);
    wasm_module_free(m);
}

void add_trap_suite(void)
{
    CU_pSuite s = CU_add_suite("engine_traps", open_env, close_env);
    CU_add_test(s, "unreachable", test_unreachable);
    CU_add_test(s, "memory out of bounds", test_memory_oob);
    CU_add_test(s, "table out of bounds", test_table_oob);
    CU_add_test(s, "divide by zero", test_div_zero);
    CU_add_test(s, "integer overflow", test_overflow);
    CU_add_test(s, "float to int conversion", test_conversion);
    CU_add_test(s, "call_indirect traps", test_indirect);
    CU_add_test(s, "call stack exhausted", test_stack);
    CU_add_test(s, "host trap and exit", test_host_trap_and_exit);
    CU_add_test(s, "memory quota", test_memory_quota);
}
