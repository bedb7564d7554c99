/* Decoder tests on well-formed modules, hand-assembled: every section kind, all eight
 * element segment encodings, the three data segment encodings, custom sections anywhere,
 * locals expansion, and UTF-8 names. Each test checks the decoded fields, not just success. */
#include "tests/decode/decode_test.h"

static void test_empty_module(void)
{
    wasm_decoded d;
    CU_ASSERT_TRUE_FATAL(decode_ok_into(MOD(""), &d));
    CU_ASSERT_EQUAL(d.binary_len, 8);
    CU_ASSERT_EQUAL(d.ntypes + d.nimports + d.nfuncs + d.nexports + d.ndatas, 0);
    CU_ASSERT_FALSE(d.has_start);
    CU_ASSERT_FALSE(d.has_data_count);
    wasm_decoded_free(&d);
}

static void test_function_with_locals(void)
{
    wasm_decoded d;
    CU_ASSERT_TRUE_FATAL(decode_ok_into(MOD(
        "\x01\x07\x01\x60\x02\x7f\x7e\x01\x7f"          /* type (i32 i64) -> i32 */
        "\x03\x02\x01\x00"                              /* function: type 0 */
        "\x07\x07\x01\x03" "add" "\x00\x00"             /* export "add" func 0 */
        "\x0a\x0a\x01\x08\x02\x02\x7f\x01\x7c\x20\x00\x0b"), &d));
    CU_ASSERT_EQUAL_FATAL(d.ntypes, 1);
    CU_ASSERT_EQUAL(d.types[0].nparams, 2);
    CU_ASSERT_EQUAL(d.types[0].params[1], WASM_I64);
    CU_ASSERT_EQUAL(d.types[0].nresults, 1);
    CU_ASSERT_EQUAL(d.types[0].results[0], WASM_I32);
    CU_ASSERT_EQUAL_FATAL(d.nfuncs, 1);
    CU_ASSERT_EQUAL(d.funcs[0].type_index, 0);
    CU_ASSERT_EQUAL_FATAL(d.funcs[0].nlocals, 3);
    CU_ASSERT_EQUAL(d.funcs[0].local_types[0], WASM_I32);
    CU_ASSERT_EQUAL(d.funcs[0].local_types[1], WASM_I32);
    CU_ASSERT_EQUAL(d.funcs[0].local_types[2], WASM_F64);
    CU_ASSERT_EQUAL(d.funcs[0].body.len, 3);
    CU_ASSERT_EQUAL(d.funcs[0].body.start[0], 0x20);
    CU_ASSERT_EQUAL(d.funcs[0].body.start[2], 0x0B);
    /* ranges point into the module's own copy */
    CU_ASSERT_TRUE(d.funcs[0].body.start > d.binary &&
                   d.funcs[0].body.start < d.binary + d.binary_len);
    CU_ASSERT_EQUAL_FATAL(d.nexports, 1);
    CU_ASSERT_EQUAL(d.exports[0].name_len, 3);
    CU_ASSERT_EQUAL(memcmp(d.exports[0].name, "add", 3), 0);
    CU_ASSERT_EQUAL(d.exports[0].kind, WASM_EXTERN_FUNC);
    wasm_decoded_free(&d);
}

static void test_imports_of_every_kind(void)
{
    wasm_decoded d;
    CU_ASSERT_TRUE_FATAL(decode_ok_into(MOD(
        "\x01\x04\x01\x60\x00\x00"
        "\x02\x1f\x04"
        "\x01" "m" "\x01" "f" "\x00\x00"                /* func, type 0 */
        "\x01" "m" "\x01" "t" "\x01\x70\x01\x01\x0a"    /* table funcref 1..10 */
        "\x01" "m" "\x02" "me" "\x02\x00\x01"           /* memory 1.. */
        "\x01" "m" "\x01" "g" "\x03\x7e\x01"), &d));    /* global mut i64 */
    CU_ASSERT_EQUAL_FATAL(d.nimports, 4);
    CU_ASSERT_EQUAL(d.num_imported_funcs, 1);
    CU_ASSERT_EQUAL(d.num_imported_tables, 1);
    CU_ASSERT_EQUAL(d.num_imported_memories, 1);
    CU_ASSERT_EQUAL(d.num_imported_globals, 1);
    CU_ASSERT_EQUAL(d.imports[0].kind, WASM_EXTERN_FUNC);
    CU_ASSERT_EQUAL(d.imports[0].module_len, 1);
    CU_ASSERT_EQUAL(d.imports[0].module[0], 'm');
    CU_ASSERT_EQUAL(d.imports[1].table.elem, WASM_FUNCREF);
    CU_ASSERT_TRUE(d.imports[1].table.limits.has_max);
    CU_ASSERT_EQUAL(d.imports[1].table.limits.max, 10);
    CU_ASSERT_EQUAL(d.imports[2].name_len, 2);
    CU_ASSERT_EQUAL(d.imports[2].memory.min, 1);
    CU_ASSERT_FALSE(d.imports[2].memory.has_max);
    CU_ASSERT_EQUAL(d.imports[3].global.type, WASM_I64);
    CU_ASSERT_TRUE(d.imports[3].global.mut);
    wasm_decoded_free(&d);
}

/* Every section in order, with all eight element encodings, all three data encodings, and
 * custom sections first, in the middle and last. Shared with the malformed tests. */
const uint8_t *full_module_bytes(size_t *len)
{
    static const uint8_t bytes[] = WASM_HEADER
        "\x00\x08\x04" "name" "\x01\x02\x03"
        "\x01\x04\x01\x60\x00\x00" "\x03\x02\x01\x00" "\x04\x04\x01\x70\x00\x02"
        "\x05\x04\x01\x01\x01\x02" "\x06\x06\x01\x7f\x00\x41\x2a\x0b"
        "\x07\x05\x01\x01" "f" "\x00\x00" "\x08\x01\x00"
        "\x09\x38\x08" "\x00\x41\x00\x0b\x01\x00" "\x01\x00\x01\x00"
        "\x02\x00\x41\x01\x0b\x00\x01\x00" "\x03\x00\x01\x00" "\x04\x41\x00\x0b\x01\xd2\x00\x0b"
        "\x05\x70\x02\xd2\x00\x0b\xd0\x70\x0b" "\x06\x00\x41\x00\x0b\x70\x01\xd2\x00\x0b"
        "\x07\x6f\x01\xd0\x6f\x0b" "\x00\x03\x02" "cc" "\x0c\x01\x03" "\x0a\x04\x01\x02\x00\x0b"
        "\x0b\x13\x03" "\x00\x41\x00\x0b\x02" "hi" "\x01\x03" "abc" "\x02\x00\x41\x08\x0b\x00"
        "\x00\x01\x00";
    *len = sizeof bytes - 1;
    return bytes;
}

static void test_every_section(void)
{
    wasm_decoded d;
    size_t len;
    const uint8_t *b = full_module_bytes(&len);
    CU_ASSERT_TRUE_FATAL(decode_ok_into(b, len, &d));
    CU_ASSERT_EQUAL(d.ntables, 1);
    CU_ASSERT_EQUAL(d.tables[0].elem, WASM_FUNCREF);
    CU_ASSERT_EQUAL(d.tables[0].limits.min, 2);
    CU_ASSERT_EQUAL_FATAL(d.nmemories, 1);
    CU_ASSERT_TRUE(d.memories[0].has_max);
    CU_ASSERT_EQUAL(d.memories[0].max, 2);
    CU_ASSERT_EQUAL_FATAL(d.nglobals, 1);
    CU_ASSERT_EQUAL(d.globals[0].type.type, WASM_I32);
    CU_ASSERT_FALSE(d.globals[0].type.mut);
    CU_ASSERT_EQUAL(d.globals[0].init.len, 3);
    CU_ASSERT_EQUAL(d.globals[0].init.start[1], 0x2a);
    CU_ASSERT_TRUE(d.has_start);
    CU_ASSERT_EQUAL(d.start, 0);
    CU_ASSERT_TRUE(d.has_data_count);
    CU_ASSERT_EQUAL(d.data_count, 3);

    CU_ASSERT_EQUAL_FATAL(d.nelems, 8);
    static const uint8_t modes[8] = { WASM_SEG_ACTIVE, WASM_SEG_PASSIVE, WASM_SEG_ACTIVE,
        WASM_SEG_DECLARATIVE, WASM_SEG_ACTIVE, WASM_SEG_PASSIVE, WASM_SEG_ACTIVE,
        WASM_SEG_DECLARATIVE };
    for (int i = 0; i < 8; i++) {
        CU_ASSERT_EQUAL(d.elems[i].mode, modes[i]);
        CU_ASSERT_EQUAL(d.elems[i].items[0].is_expr, i >= 4);
    }
    CU_ASSERT_EQUAL(d.elems[0].offset.len, 3);
    CU_ASSERT_EQUAL(d.elems[2].offset.start[1], 1);
    CU_ASSERT_EQUAL(d.elems[5].nitems, 2);
    CU_ASSERT_EQUAL(d.elems[5].items[1].expr.start[0], 0xd0);
    CU_ASSERT_EQUAL(d.elems[5].items[1].expr.len, 3);
    CU_ASSERT_EQUAL(d.elems[7].elem_type, WASM_EXTERNREF);
    CU_ASSERT_EQUAL(d.elems[3].elem_type, WASM_FUNCREF);

    CU_ASSERT_EQUAL_FATAL(d.ndatas, 3);
    CU_ASSERT_EQUAL(d.datas[0].mode, WASM_SEG_ACTIVE);
    CU_ASSERT_EQUAL(d.datas[0].len, 2);
    CU_ASSERT_EQUAL(memcmp(d.datas[0].bytes, "hi", 2), 0);
    CU_ASSERT_EQUAL(d.datas[1].mode, WASM_SEG_PASSIVE);
    CU_ASSERT_EQUAL(memcmp(d.datas[1].bytes, "abc", 3), 0);
    CU_ASSERT_EQUAL(d.datas[2].mode, WASM_SEG_ACTIVE);
    CU_ASSERT_EQUAL(d.datas[2].memory_index, 0);
    CU_ASSERT_EQUAL(d.datas[2].len, 0);
    CU_ASSERT_EQUAL(d.datas[2].offset.start[1], 8);
    wasm_decoded_free(&d);
}

static void test_utf8_names(void)
{
    wasm_decoded d;
    CU_ASSERT_TRUE_FATAL(decode_ok_into(MOD(
        "\x00\x05\x04" "\xf0\x9f\x98\x80"             /* custom named U+1F600 */
        "\x07\x0c\x02"
        "\x02" "\xc3\xa9" "\x03\x00"                   /* "é" global 0 */
        "\x03" "\xef\xbf\xbf" "\x02\x00"), &d));       /* U+FFFF memory 0 */
    CU_ASSERT_EQUAL_FATAL(d.nexports, 2);
    CU_ASSERT_EQUAL(d.exports[0].name_len, 2);
    CU_ASSERT_EQUAL(d.exports[1].kind, WASM_EXTERN_MEMORY);
    wasm_decoded_free(&d);
}

static void test_const_expr_forms(void)
{
    wasm_decoded d;
    /* f32/f64 consts, a long i64 const, global.get, and an extended-const style sum: the
     * decoder only finds where each expression ends. */
    CU_ASSERT_TRUE_FATAL(decode_ok_into(MOD(
        "\x06\x28\x04"
        "\x7d\x00\x43\x00\x00\x80\x3f\x0b"
        "\x7c\x01\x44\x00\x00\x00\x00\x00\x00\xf0\x3f\x0b"
        "\x7e\x00\x42\x80\x80\x80\x80\x80\x80\x80\x80\x80\x7f\x0b"
        "\x7f\x00\x23\x00\x0b"), &d));
    CU_ASSERT_EQUAL_FATAL(d.nglobals, 4);
    CU_ASSERT_EQUAL(d.globals[0].init.len, 6);
    CU_ASSERT_EQUAL(d.globals[1].init.len, 10);
    CU_ASSERT_TRUE(d.globals[1].type.mut);
    CU_ASSERT_EQUAL(d.globals[2].init.len, 12);
    CU_ASSERT_EQUAL(d.globals[3].init.len, 3);
    wasm_decoded_free(&d);
}

static void test_non_constant_instructions_left_to_validator(void)
{
    /* i32.ctz in a global initialiser is invalid, not malformed: the decoder must accept it
     * so that the validator can say "constant expression required". */
    expect_ok(MOD("\x06\x07\x01\x7f\x00\x41\x00\x68\x0b"));
    /* a nested block in an offset expression is also the validator's business */
    expect_ok(MOD("\x0b\x0b\x01\x00\x02\x40\x41\x00\x0b\x41\x00\x0b\x00"));
}

static void test_input_is_copied(void)
{
    uint8_t bytes[] = "\0asm\1\0\0\0\x07\x05\x01\x01" "x" "\x00\x00";
    wasm_decoded d;
    CU_ASSERT_TRUE_FATAL(decode_ok_into(bytes, sizeof bytes - 1, &d));
    memset(bytes, 0, sizeof bytes);
    CU_ASSERT_EQUAL(d.exports[0].name[0], 'x');
    wasm_decoded_free(&d);
    CU_ASSERT_PTR_NULL(d.binary);                      /* free leaves an empty struct */
    wasm_decoded_free(&d);                             /* and is idempotent */
}

void register_valid_tests(void)
{
    CU_pSuite s = CU_add_suite("decode valid", NULL, NULL);
    CU_add_test(s, "empty module", test_empty_module);
    CU_add_test(s, "function with locals", test_function_with_locals);
    CU_add_test(s, "imports of every kind", test_imports_of_every_kind);
    CU_add_test(s, "every section, all segment encodings", test_every_section);
    CU_add_test(s, "UTF-8 names", test_utf8_names);
    CU_add_test(s, "constant expression forms", test_const_expr_forms);
    CU_add_test(s, "non-constant instructions left to the validator",
                test_non_constant_instructions_left_to_validator);
    CU_add_test(s, "input is copied", test_input_is_copied);
}
