/* Regression tests for the compiler's store-address fusion (store_addr.wat): a store whose
 * address comes from the i32.add right before it, with a value still lazy (a constant or a
 * pending x + k) whose stack slot is an addend of that address. The engine once wrote the
 * value into its slot first, so the store went to the wrong address (wasi-libc's strcat). */
#include "tests/engine/engine_test.h"
#include <string.h>


static const uint8_t store_addr_wasm[] = {
#include "tests/engine/store_addr.wasm.inc"
};

static bool store_addr_open(prog_env *e)
{
    wasm_err err;
    memset(e, 0, sizeof *e);
    if (wasm_module_load(store_addr_wasm, sizeof store_addr_wasm, &e->m, &err) != WASM_OK)
        return false;
    e->s = wasm_store_new(NULL);
    return e->s && wasm_instantiate(e->s, e->m, NULL, 0, true, 0, &e->inst, &err) == WASM_OK;
}

/* Each export stores 0x41 at p + 7 and returns what is there, with the byte at the
 * address the broken compiler used in bits 24..31. */
static void check_export(const char *name)
{
    prog_env e;
    bool opened = store_addr_open(&e);
    CU_ASSERT_FATAL(opened);
    wasm_val p = vi32(16), r;
    CU_ASSERT_EQUAL(call1(&e, name, &p, &r), WASM_RUN_DONE);
    CU_ASSERT_EQUAL(r.of.i32, 0x41);
    prog_close(&e);
}

static void test_slot_slot_const(void)   { check_export("slot_slot_const"); }
static void test_k_slot_const(void)      { check_export("k_slot_const"); }
static void test_slot_slot_addk(void)    { check_export("slot_slot_addk"); }
static void test_k_slot_addk(void)       { check_export("k_slot_addk"); }
static void test_slot_slot_const16(void) { check_export("slot_slot_const16"); }

void add_store_addr_suite(void)
{
    CU_pSuite s = CU_add_suite("store address fusion", NULL, NULL);
    CU_add_test(s, "p + call() as address, constant value", test_slot_slot_const);
    CU_add_test(s, "k + call() as address, constant value", test_k_slot_const);
    CU_add_test(s, "p + call() as address, pending p + k value", test_slot_slot_addk);
    CU_add_test(s, "k + call() as address, pending p + k value", test_k_slot_addk);
    CU_add_test(s, "p + call() as address, 16-bit constant value", test_slot_slot_const16);
}
