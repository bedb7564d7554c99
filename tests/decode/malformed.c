/* Decoder tests on malformed modules: one test per class of structural error, plus
 * robustness properties (every truncation and many random mutations of a valid module
 * decode to a clean result, never a crash; huge counts never drive an allocation). */
#include <stdlib.h>
#include "tests/decode/decode_test.h"

static void test_header(void)
{
    expect_malformed((const uint8_t *)"", 0, "magic header not detected");
    expect_malformed((const uint8_t *)"\0as", 3, "magic header not detected");
    expect_malformed((const uint8_t *)"\0ASM\1\0\0\0", 8, "magic header not detected");
    expect_malformed((const uint8_t *)"\0asm", 4, "unknown binary version");
    expect_malformed((const uint8_t *)"\0asm\1\0\0", 7, "unknown binary version");
    expect_malformed((const uint8_t *)"\0asm\2\0\0\0", 8, "unknown binary version");
    expect_malformed((const uint8_t *)"\0asm\0\0\0\1", 8, "unknown binary version");
}

static void test_section_ids_and_order(void)
{
    expect_malformed(MOD("\x0d\x00"), "malformed section id");
    expect_malformed(MOD("\x7f\x00"), "malformed section id");
    /* function before type, a repeated section, data count after code */
    expect_malformed(MOD("\x03\x01\x00\x01\x01\x00"), "unexpected content after last section");
    expect_malformed(MOD("\x01\x01\x00\x01\x01\x00"), "unexpected content after last section");
    expect_malformed(MOD("\x0a\x01\x00\x0c\x01\x00"), "unexpected content after last section");
    expect_malformed(MOD("\x0b\x01\x00\x0a\x01\x00"), "unexpected content after last section");
    /* custom sections may appear anywhere, also between the others */
    expect_ok(MOD("\x01\x01\x00\x00\x02\x01" "a" "\x03\x01\x00\x00\x01\x00"));
}

static void test_section_sizes(void)
{
    /* one byte too many: content parsed, one byte left over */
    expect_malformed(MOD("\x01\x05\x01\x60\x00\x00\x00"), "section size mismatch");
    /* one byte too few: the type runs past the section's end */
    expect_malformed(MOD("\x01\x03\x01\x60\x00\x00"), "length out of bounds");
    expect_malformed(MOD("\x01\x04\x01\x60\x01\x7f\x00"), "unexpected end");
    /* size past the end of the module */
    expect_malformed(MOD("\x01\x10\x01\x60\x00\x00"), "length out of bounds");
    /* size itself truncated or missing */
    expect_malformed(MOD("\x01"), "unexpected end");
    expect_malformed(MOD("\x01\x80"), "unexpected end");
    /* a custom section too small for its name */
    expect_malformed(MOD("\x00\x00"), "unexpected end");
    expect_malformed(MOD("\x00\x02\x05" "a"), "length out of bounds");
    /* declared count larger than the section can hold */
    expect_malformed(MOD("\x01\x04\x02\x60\x00\x00"), "length out of bounds");
    expect_malformed(MOD("\x01\x07\x01\x60\x00\x00\x60\x00\x00"), "section size mismatch");
}

static void test_leb128_rules(void)
{
    /* memory minimum: 6-byte u32, unused bits set in the 5th byte */
    expect_malformed(MOD("\x05\x08\x01\x00\x82\x80\x80\x80\x80\x00"),
                     "integer representation too long");
    expect_malformed(MOD("\x05\x07\x01\x00\x82\x80\x80\x80\x70"), "integer too large");
    expect_malformed(MOD("\x05\x07\x01\x00\x82\x80\x80\x80\x10"), "integer too large");
    /* non-minimal but within 5 bytes is fine */
    expect_ok(MOD("\x05\x07\x01\x00\x82\x80\x80\x80\x00"));
    /* i32.const/i64.const in a global initialiser: sign bits must agree */
    expect_malformed(MOD("\x06\x0a\x01\x7f\x00\x41\x80\x80\x80\x80\x70\x0b"), "integer too large");
    expect_malformed(MOD("\x06\x0a\x01\x7f\x00\x41\xff\xff\xff\xff\x0f\x0b"), "integer too large");
    expect_ok(MOD("\x06\x0a\x01\x7f\x00\x41\xff\xff\xff\xff\x7f\x0b"));
    expect_malformed(MOD("\x06\x0f\x01\x7e\x00\x42\x80\x80\x80\x80\x80\x80\x80\x80\x80\x7e\x0b"),
                     "integer too large");
    expect_malformed(MOD("\x06\x10\x01\x7e\x00\x42\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x7f\x0b"),
                     "integer representation too long");
    /* a section size that is overlong */
    expect_malformed(MOD("\x01\x80\x80\x80\x80\x80\x00"), "integer representation too long");
}

/* A custom section whose name is the given bytes. */
static void expect_name_malformed(const char *name, size_t n)
{
    uint8_t buf[64] = { 0, 'a', 's', 'm', 1, 0, 0, 0, 0, (uint8_t)(n + 1), (uint8_t)n };
    memcpy(buf + 11, name, n);
    expect_malformed(buf, 11 + n, "malformed UTF-8 encoding");
}

static void test_utf8(void)
{
    expect_name_malformed("\x80", 1);                      /* lone continuation byte */
    expect_name_malformed("\xc0\x80", 2);                  /* overlong NUL */
    expect_name_malformed("\xc1\xbf", 2);                  /* overlong */
    expect_name_malformed("\xe0\x9f\xbf", 3);              /* overlong 3-byte */
    expect_name_malformed("\xed\xa0\x80", 3);              /* surrogate U+D800 */
    expect_name_malformed("\xed\xbf\xbf", 3);              /* surrogate U+DFFF */
    expect_name_malformed("\xf0\x8f\xbf\xbf", 4);          /* overlong 4-byte */
    expect_name_malformed("\xf4\x90\x80\x80", 4);          /* above U+10FFFF */
    expect_name_malformed("\xf8\x88\x80\x80\x80", 5);      /* 5-byte form */
    expect_name_malformed("\xe2\x82", 2);                  /* truncated */
    expect_name_malformed("a\xc3", 2);                     /* truncated at the end */
    expect_name_malformed("\xc3\x28", 2);                  /* bad continuation */
    expect_name_malformed("\xff", 1);
    /* names in imports and exports are checked too */
    expect_malformed(MOD("\x02\x07\x01\x02\xc0\x80\x00\x02\x00"), "malformed UTF-8 encoding");
    expect_malformed(MOD("\x02\x07\x01\x00\x02\xed\xa0\x02\x00"), "malformed UTF-8 encoding");
    expect_malformed(MOD("\x07\x05\x01\x01\x80\x00\x00"), "malformed UTF-8 encoding");
    /* a name longer than its section */
    expect_malformed(MOD("\x07\x05\x01\x09" "abc"), "length out of bounds");
}

static void test_function_code_counts(void)
{
    const char *msg = "function and code section have inconsistent lengths";
    expect_malformed(MOD("\x01\x04\x01\x60\x00\x00\x03\x02\x01\x00"), msg);
    expect_malformed(MOD("\x01\x04\x01\x60\x00\x00\x03\x03\x02\x00\x00"
                         "\x0a\x04\x01\x02\x00\x0b"), msg);
    expect_malformed(MOD("\x01\x04\x01\x60\x00\x00\x0a\x04\x01\x02\x00\x0b"), msg);
    /* empty function section and no code section is fine */
    expect_ok(MOD("\x03\x01\x00"));
    expect_ok(MOD("\x0a\x01\x00"));
}

static void test_data_count(void)
{
    const char *msg = "data count and data section have inconsistent lengths";
    expect_malformed(MOD("\x0c\x01\x02\x0b\x04\x01\x01\x01" "a"), msg);
    expect_malformed(MOD("\x0c\x01\x01"), msg);
    expect_malformed(MOD("\x0c\x01\x00\x0b\x04\x01\x01\x01" "a"), msg);
    expect_ok(MOD("\x0c\x01\x00"));
    expect_ok(MOD("\x0c\x01\x01\x0b\x04\x01\x01\x01" "a"));
    /* data count section truncated */
    expect_malformed(MOD("\x0c\x01\x80"), "unexpected end");
}

static void test_types_and_flags(void)
{
    expect_malformed(MOD("\x05\x03\x01\x02\x00"), "limits");
    expect_malformed(MOD("\x05\x03\x01\x80\x00"), "limits");
    expect_malformed(MOD("\x04\x04\x01\x70\x04\x00"), "limits");
    expect_malformed(MOD("\x06\x06\x01\x7f\x02\x41\x00\x0b"), "malformed mutability");
    expect_malformed(MOD("\x02\x06\x01\x00\x00\x03\x7f\xff"), "malformed mutability");
    expect_malformed(MOD("\x04\x04\x01\x7f\x00\x00"), "malformed reference type");
    expect_malformed(MOD("\x02\x07\x01\x00\x00\x01\x6e\x00\x00"), "malformed reference type");
    expect_malformed(MOD("\x01\x05\x01\x60\x01\x40\x00"), "malformed value type");
    expect_malformed(MOD("\x01\x05\x01\x60\x00\x01\x00"), "malformed value type");
    expect_malformed(MOD("\x01\x05\x01\x60\x01\x7b\x00"), "SIMD");
    expect_malformed(MOD("\x01\x04\x01\x5f\x00\x00"), "malformed function type");
    expect_malformed(MOD("\x02\x04\x01\x00\x00\x04"), "malformed import kind");
    expect_malformed(MOD("\x02\x05\x01\x00\x00\x80\x00"), "malformed import kind");
    expect_malformed(MOD("\x07\x04\x01\x00\x04\x00"), "malformed export kind");
    expect_malformed(MOD("\x09\x04\x01\x08\x00\x00"), "malformed elements segment kind");
    expect_malformed(MOD("\x09\x06\x01\x80\x80\x80\x80\x10"), "integer too large");
    expect_malformed(MOD("\x09\x04\x01\x01\x01\x00"), "malformed element kind");
    expect_malformed(MOD("\x09\x04\x01\x05\x7f\x00"), "malformed reference type");
    expect_malformed(MOD("\x0b\x03\x01\x03\x00"), "malformed data segment kind");
    expect_malformed(MOD("\x0b\x04\x01\x01\x05" "a"), "unexpected end");
}

static void test_code_entries(void)
{
#define T1 "\x01\x04\x01\x60\x00\x00\x03\x02\x01\x00"
    /* too many locals: 0xFFFFFFFF + 2, and 50000 + 1 */
    expect_malformed(MOD(T1 "\x0a\x0c\x01\x0a\x02\xff\xff\xff\xff\x0f\x7f\x02\x7e\x0b"),
                     "too many locals");
    expect_malformed(MOD(T1 "\x0a\x0a\x01\x08\x02\xd0\x86\x03\x7f\x01\x7f\x0b"), "too many locals");
    /* 50000 locals are allowed */
    expect_ok(MOD(T1 "\x0a\x08\x01\x06\x01\xd0\x86\x03\x7f\x0b"));
    /* missing end opcode, inside a section and at the end of the module */
    expect_malformed(MOD(T1 "\x0a\x06\x01\x04\x00\x41\x01\x1a"), "END opcode expected");
    expect_malformed(MOD(T1 "\x0a\x03\x01\x01\x00"), "END opcode expected");
    expect_malformed(MOD(T1 "\x0a\x03\x01\x00\x00"), "unexpected end");
    /* code entry longer than its section */
    expect_malformed(MOD(T1 "\x0a\x06\x01\x07\x00\x41\x01\x1a"), "unexpected end");
    /* locals declaration with a bad type, or running past the entry */
    expect_malformed(MOD(T1 "\x0a\x06\x01\x04\x01\x01\x40\x0b"), "malformed value type");
    expect_malformed(MOD(T1 "\x0a\x05\x01\x03\x01\x01\x0b\x00"), "malformed value type");
    expect_malformed(MOD(T1 "\x0a\x05\x01\x03\x03\x01\x7f\x0b"), "length out of bounds");
#undef T1
}

static void test_constant_expressions(void)
{
    expect_malformed(MOD("\x06\x05\x01\x7f\x00\xf3\x0b"), "illegal opcode");
    expect_malformed(MOD("\x06\x05\x01\x7f\x00\x06\x0b"), "illegal opcode");
    expect_malformed(MOD("\x06\x06\x01\x7f\x00\xfc\x12\x0b"), "illegal opcode");
    expect_malformed(MOD("\x06\x05\x01\x7f\x00\x41\x00"), "unexpected end");
    expect_malformed(MOD("\x06\x04\x01\x7f\x00\x41"), "unexpected end");
    expect_malformed(MOD("\x06\x07\x01\x7f\x00\x43\x00\x00\x0b"), "unexpected end");
    expect_malformed(MOD("\x06\x06\x01\x7f\x00\xd0\x7f\x0b"), "malformed reference type");
    expect_malformed(MOD("\x06\x06\x01\x7f\x00\x3f\x01\x0b"), "zero byte expected");
    /* an element segment with an illegal opcode in an item (as in binary.wast) */
    expect_malformed(MOD("\x09\x07\x01\x05\x70\x01\xf3\x00\x0b"), "illegal opcode");
}

static void test_huge_counts(void)
{
    /* counts of 2^32-1 with nothing behind them must be refused before any allocation */
    expect_malformed(MOD("\x01\x05\xff\xff\xff\xff\x0f"), "length out of bounds");
    expect_malformed(MOD("\x01\x07\x01\x60\xff\xff\xff\xff\x0f"), "length out of bounds");
    expect_malformed(MOD("\x02\x05\xff\xff\xff\xff\x0f"), "length out of bounds");
    expect_malformed(MOD("\x03\x05\xff\xff\xff\xff\x0f"), "length out of bounds");
    expect_malformed(MOD("\x09\x08\x01\x01\x00\xff\xff\xff\xff\x0f"), "length out of bounds");
    expect_malformed(MOD("\x0a\x05\xff\xff\xff\xff\x0f"), "length out of bounds");
    expect_malformed(MOD("\x0b\x05\xff\xff\xff\xff\x0f"), "length out of bounds");
    expect_malformed(MOD("\x06\x09\x01\x7f\x00\x0e\xff\xff\xff\xff\x0f"), "length out of bounds");
}

static size_t put_leb(uint8_t *p, uint32_t v)
{
    size_t n = 0;
    do {
        uint8_t b = v & 0x7F;
        v >>= 7;
        p[n++] = b | (v ? 0x80 : 0);
    } while (v);
    return n;
}

/* nfuncs functions of type () -> () each declaring 50000 i32 locals. */
static uint8_t *many_locals_module(uint32_t nfuncs, size_t *len)
{
    uint8_t *m = malloc(64 + 8 * (size_t)nfuncs), *p = m;
    memcpy(p, WASM_HEADER "\x01\x04\x01\x60\x00\x00", 14);
    p += 14;
    uint8_t count[5];
    size_t nc = put_leb(count, nfuncs);
    *p++ = 3;
    p += put_leb(p, (uint32_t)(nc + nfuncs));
    memcpy(p, count, nc);
    p += nc;
    memset(p, 0, nfuncs);
    p += nfuncs;
    *p++ = 10;
    p += put_leb(p, (uint32_t)(nc + 7 * (size_t)nfuncs));
    memcpy(p, count, nc);
    p += nc;
    for (uint32_t i = 0; i < nfuncs; i++) {
        memcpy(p, "\x06\x01\xd0\x86\x03\x7f\x0b", 7);
        p += 7;
    }
    *len = (size_t)(p - m);
    return m;
}

static void test_module_locals_cap(void)
{
    /* a few bytes per function can declare 50000 locals: the module total is capped */
    size_t len;
    uint8_t *m = many_locals_module(300, &len);
    wasm_decoded d;
    CU_ASSERT_TRUE(decode_ok_into(m, len, &d));
    CU_ASSERT_EQUAL(d.funcs[299].nlocals, 50000);
    wasm_decoded_free(&d);
    free(m);
    m = many_locals_module(400, &len);
    expect_malformed(m, len, "too many locals");
    free(m);
}

static void test_every_truncation(void)
{
    size_t len;
    const uint8_t *full = full_module_bytes(&len);
    unsigned ok = 0;
    for (size_t n = 0; n < len; n++) {
        wasm_decoded d;
        wasm_err err;
        wasm_errcode rc = wasm_decode(full, n, &d, &err);
        CU_ASSERT_TRUE(rc == WASM_OK || rc == WASM_ERR_MALFORMED);
        if (rc == WASM_OK) {
            ok++;
            if (n != 8 && n != 18 && n != 24 && n != len - 3)
                fprintf(stderr, "\n  prefix of %zu bytes decoded", n);
            wasm_decoded_free(&d);
        } else {
            CU_ASSERT_TRUE(strstr(err.msg, "offset 0x") != NULL);
        }
    }
    /* only four cuts give a whole module: the header alone, after the first custom
     * section, after the type section, and before the final custom section */
    CU_ASSERT_EQUAL(ok, 4);
}

static void test_random_mutations(void)
{
    size_t len;
    const uint8_t *full = full_module_bytes(&len);
    uint8_t *buf = malloc(len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
    unsigned seed = 12345, ok = 0, bad = 0, other = 0;
    for (int iter = 0; iter < 20000; iter++) {
        memcpy(buf, full, len);
        int flips = 1 + iter % 3;
        for (int k = 0; k < flips; k++) {
            seed = seed * 1103515245u + 12345u;
            size_t at = 8 + (seed >> 8) % (len - 8);
            seed = seed * 1103515245u + 12345u;
            buf[at] = (uint8_t)(seed >> 16);
        }
        wasm_decoded d;
        wasm_err err;
        wasm_errcode rc = wasm_decode(buf, len, &d, &err);
        if (rc == WASM_OK) { ok++; wasm_decoded_free(&d); }
        else if (rc == WASM_ERR_MALFORMED) bad++;
        else other++;
    }
    free(buf);
    CU_ASSERT_EQUAL(other, 0);
    CU_ASSERT_TRUE(ok > 0);
    CU_ASSERT_TRUE(bad > 0);
}

/* Messages say what went wrong, in which section, and at which byte offset. */
static void test_error_messages(void)
{
    expect_malformed((const uint8_t *)"\0asx", 4, "magic header not detected at offset 0x0");
    expect_malformed(MOD("\x0d\x00"), "malformed section id at offset 0x8");
    expect_malformed(MOD("\x05\x07\x01\x00\x82\x80\x80\x80\x70"),
                     "section 5 (memory): integer too large at offset 0xc");
    expect_malformed(MOD("\x01\x04\x01\x60\x00\x00\x03\x02\x01\x00"),
                     "function and code section have inconsistent lengths at offset 0x12");
    expect_malformed(MOD("\x01\x04\x01\x60\x00\x00\x03\x02\x01\x00"
                         "\x0a\x06\x01\x04\x00\x41\x01\x1a"),
                     "section 10 (code): END opcode expected at offset 0x1a");
}

void register_malformed_tests(void)
{
    CU_pSuite s = CU_add_suite("decode malformed", NULL, NULL);
    CU_add_test(s, "header", test_header);
    CU_add_test(s, "error messages name section and offset", test_error_messages);
    CU_add_test(s, "section ids and order", test_section_ids_and_order);
    CU_add_test(s, "section sizes", test_section_sizes);
    CU_add_test(s, "LEB128 rules", test_leb128_rules);
    CU_add_test(s, "UTF-8 names", test_utf8);
    CU_add_test(s, "function and code counts", test_function_code_counts);
    CU_add_test(s, "data count", test_data_count);
    CU_add_test(s, "types, kinds and flags", test_types_and_flags);
    CU_add_test(s, "code entries", test_code_entries);
    CU_add_test(s, "constant expressions", test_constant_expressions);
    CU_add_test(s, "huge counts", test_huge_counts);
    CU_add_test(s, "module-wide locals cap", test_module_locals_cap);
    CU_add_test(s, "every truncation of a valid module", test_every_truncation);
    CU_add_test(s, "random mutations", test_random_mutations);
}
