/* Loading (valid, malformed, invalid), calls, recursion, cross-instance calls, linking
 * errors, and robustness against mutated binaries. */
#include "tests/engine/engine_test.h"
#include <stdlib.h>
#include <string.h>

static const uint8_t hdr[8] = { 0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00 };

static void test_load_valid(void)
{
    wasm_module *m;
    wasm_err err;
    CU_ASSERT_EQUAL(wasm_module_load(prog_wasm, prog_wasm_len, &m, &err), WASM_OK);
    CU_ASSERT_PTR_NOT_NULL(m);
    CU_ASSERT_EQUAL(wasm_module_num_imports(m), 3);
    CU_ASSERT(wasm_module_num_exports(m) > 10);
    /* the hash is the SHA-256 of the bytes: loading again gives the same one */
    wasm_module *m2;
    CU_ASSERT_EQUAL(wasm_module_load(prog_wasm, prog_wasm_len, &m2, &err), WASM_OK);
    CU_ASSERT_EQUAL(memcmp(wasm_module_hash(m), wasm_module_hash(m2), 32), 0);
    wasm_module_free(m2);
    wasm_module_free(m);
}

static void test_sha256_known(void)
{
    /* the empty module (header only) has a known digest */
    wasm_module *m;
    wasm_err err;
    CU_ASSERT_EQUAL_FATAL(wasm_module_load(hdr, sizeof hdr, &m, &err), WASM_OK);
    static const uint8_t want[4] = { 0x93, 0xa4, 0x4b, 0xbb };   /* sha256 of 0061736d01000000 */
    CU_ASSERT_EQUAL(memcmp(wasm_module_hash(m), want, 4), 0);
    wasm_module_free(m);
}

static void test_load_malformed(void)
{
    wasm_module *m = (wasm_module *)1;
    wasm_err err;
    static const uint8_t bad_magic[8] = { 0, 'a', 's', 'n', 1, 0, 0, 0 };
    CU_ASSERT_EQUAL(wasm_module_load(bad_magic, sizeof bad_magic, &m, &err), WASM_ERR_MALFORMED);
    CU_ASSERT_PTR_NULL(m);
    /* a body with an undefined opcode */
    static const uint8_t bad_op[] = { 0, 'a', 's', 'm', 1, 0, 0, 0, 1, 4, 1, 0x60, 0, 0, 3, 2, 1, 0,
                                      10, 5, 1, 3, 0, 0xFF, 0x0B };
    CU_ASSERT_EQUAL(wasm_module_load(bad_op, sizeof bad_op, &m, &err), WASM_ERR_MALFORMED);
}

static void test_load_invalid(void)
{
    wasm_module *m;
    wasm_err err;
    /* (func (result i32) i32.add) with nothing on the stack */
    static const uint8_t add_empty[] = { 0, 'a', 's', 'm', 1, 0, 0, 0, 1, 5, 1, 0x60, 0, 1, 0x7F,
                                         3, 2, 1, 0, 10, 5, 1, 3, 0, 0x6A, 0x0B };
    CU_ASSERT_EQUAL(wasm_module_load(add_empty, sizeof add_empty, &m, &err), WASM_ERR_INVALID);
    CU_ASSERT(strstr(err.msg, "type mismatch") != NULL);
    /* br 1 outside any block */
    static const uint8_t bad_label[] = { 0, 'a', 's', 'm', 1, 0, 0, 0, 1, 4, 1, 0x60, 0, 0,
                                         3, 2, 1, 0, 10, 6, 1, 4, 0, 0x0C, 1, 0x0B };
    CU_ASSERT_EQUAL(wasm_module_load(bad_label, sizeof bad_label, &m, &err), WASM_ERR_INVALID);
}

static void test_calls(void)
{
    prog_env e;
    CU_ASSERT_FATAL(prog_open(&e, NULL));
    wasm_val arg = vi64(20), r;
    wasm_err err;
    CU_ASSERT_EQUAL(wasm_invoke(e.s, export_func(e.inst, "fac"), &arg, 1, &r, 1, &err), WASM_OK);
    CU_ASSERT_EQUAL(r.type, WASM_I64);
    CU_ASSERT_EQUAL(r.of.i64, 2432902008176640000ull);
    /* wrong argument type is an API error, not a crash */
    wasm_val wrong = vi32(3);
    CU_ASSERT_EQUAL(wasm_invoke(e.s, export_func(e.inst, "fac"), &wrong, 1, &r, 1, &err), WASM_ERR_ARG);
    prog_close(&e);
}

static void test_cross_instance(void)
{
    wasm_module *a, *b;
    wasm_err err;
    CU_ASSERT_FATAL(wasm_module_load(callee_wasm, callee_wasm_len, &a, &err) == WASM_OK);
    CU_ASSERT_FATAL(wasm_module_load(caller_wasm, caller_wasm_len, &b, &err) == WASM_OK);
    wasm_store *s = wasm_store_new(NULL);
    wasm_instance *ia, *ib;
    CU_ASSERT_FATAL(wasm_instantiate(s, a, NULL, 0, true, 0, &ia, &err) == WASM_OK);
    wasm_extern get;
    CU_ASSERT_FATAL(wasm_instance_export(ia, "get", 3, &get));
    CU_ASSERT_FATAL(wasm_instantiate(s, b, &get, 1, true, 0, &ib, &err) == WASM_OK);
    wasm_val r;
    CU_ASSERT_EQUAL(wasm_invoke(s, export_func(ib, "run"), NULL, 0, &r, 1, &err), WASM_OK);
    CU_ASSERT_EQUAL(r.of.i32, 0x2a + 1);    /* callee read its own memory, caller its own */
    wasm_store_free(s);
    wasm_module_free(a);
    wasm_module_free(b);
}

static void test_link_errors(void)
{
    wasm_module *m;
    wasm_err err;
    CU_ASSERT_FATAL(wasm_module_load(prog_wasm, prog_wasm_len, &m, &err) == WASM_OK);
    wasm_store *s = wasm_store_new(NULL);
    host_state hs = { 0 };
    wasm_extern im[3];
    prog_host_imports(s, &hs, im);
    wasm_extern swapped[3] = { im[1], im[0], im[2] };
    wasm_instance *inst;
    CU_ASSERT_EQUAL(wasm_instantiate(s, m, swapped, 3, true, 0, &inst, &err), WASM_ERR_LINK);
    CU_ASSERT(strstr(err.msg, "incompatible import type") != NULL);
    CU_ASSERT_EQUAL(wasm_instantiate(s, m, im, 2, true, 0, &inst, &err), WASM_ERR_LINK);
    wasm_extern mem = wasm_store_memory(s, (wasm_limits){ 1, 1, true });
    wasm_extern wrong_kind[3] = { im[0], im[1], mem };
    CU_ASSERT_EQUAL(wasm_instantiate(s, m, wrong_kind, 3, true, 0, &inst, &err), WASM_ERR_LINK);
    wasm_store_free(s);
    wasm_module_free(m);
}

/* Function references coming from the host must name functions of the store. */
static void test_host_refs(void)
{
    wasm_store *s = wasm_store_new(NULL);
    wasm_tabletype tt = { WASM_FUNCREF, { 2, 2, true } };
    CU_ASSERT_EQUAL(wasm_store_table(s, tt, 12345).kind, 0xFF);
    CU_ASSERT_EQUAL(wasm_store_table(s, tt, WASM_REF_NULL).kind, WASM_EXTERN_TABLE);
    wasm_globaltype gt = { WASM_FUNCREF, true };
    wasm_val v = { .type = WASM_FUNCREF, .of.ref = 99 };
    CU_ASSERT_EQUAL(wasm_store_global(s, gt, v).kind, 0xFF);
    v.of.ref = WASM_REF_NULL;
    wasm_extern g = wasm_store_global(s, gt, v);
    CU_ASSERT_EQUAL_FATAL(g.kind, WASM_EXTERN_GLOBAL);
    v.of.ref = 7;
    CU_ASSERT_FALSE(wasm_global_set(s, g.addr, v));
    wasm_store_free(s);
}

/* Flip bytes of a valid module everywhere: loading must answer, never crash; a module that
 * still loads must instantiate or refuse cleanly. */
static void test_mutations(void)
{
    uint8_t *buf = malloc(prog_wasm_len);
    CU_ASSERT_FATAL(buf != NULL);
    unsigned loaded = 0, refused = 0;
    static const uint8_t vals[] = { 0x00, 0xFF, 0x80, 0x7F, 0x0B, 0x41 };
    for (size_t i = 8; i < prog_wasm_len; i++) {
        for (size_t v = 0; v < sizeof vals; v++) {
            memcpy(buf, prog_wasm, prog_wasm_len);
            if (buf[i] == vals[v])
                continue;
            buf[i] = vals[v];
            wasm_module *m;
            wasm_err err;
            wasm_errcode rc = wasm_module_load(buf, prog_wasm_len, &m, &err);
            if (rc != WASM_OK) {
                refused++;
                CU_ASSERT(rc == WASM_ERR_MALFORMED || rc == WASM_ERR_INVALID || rc == WASM_ERR_LIMIT);
                continue;
            }
            loaded++;
            wasm_module_free(m);
        }
    }
    /* truncations: only a cut at a section boundary can still be a module */
    unsigned malformed = 0;
    for (size_t n = 0; n < prog_wasm_len; n++) {
        wasm_module *m;
        wasm_err err;
        wasm_errcode rc = wasm_module_load(prog_wasm, n, &m, &err);
        CU_ASSERT(rc == WASM_ERR_MALFORMED || rc == WASM_OK);
        malformed += rc == WASM_ERR_MALFORMED;
        if (rc == WASM_OK)
            wasm_module_free(m);
    }
    CU_ASSERT(malformed + 8 >= prog_wasm_len);
    CU_ASSERT(refused > 0);
    CU_ASSERT(loaded > 0);
    free(buf);
}

void add_basic_suite(void)
{
    CU_pSuite s = CU_add_suite("engine_basic", NULL, NULL);
    CU_add_test(s, "load valid module, hash stable", test_load_valid);
    CU_add_test(s, "module hash is SHA-256", test_sha256_known);
    CU_add_test(s, "malformed modules", test_load_malformed);
    CU_add_test(s, "invalid modules", test_load_invalid);
    CU_add_test(s, "calls and recursion", test_calls);
    CU_add_test(s, "cross-instance call runs in callee context", test_cross_instance);
    CU_add_test(s, "import type checking", test_link_errors);
    CU_add_test(s, "host function references are checked", test_host_refs);
    CU_add_test(s, "mutated and truncated binaries", test_mutations);
}
