/* Tests of the primitive readers (LEB128 of each width, floats, bytes) and rt_snprintf. */
#include <stdio.h>
#include "tests/decode/decode_test.h"

#define R(s) { (const uint8_t *)(s), (const uint8_t *)(s) + sizeof(s) - 1 }

static void test_u32(void)
{
    uint32_t v;
    wasm_reader r1 = R("\x00"), r2 = R("\xe5\x8e\x26"), r3 = R("\xff\xff\xff\xff\x0f");
    CU_ASSERT_TRUE(wasm_read_u32(&r1, &v)); CU_ASSERT_EQUAL(v, 0);
    CU_ASSERT_TRUE(wasm_read_u32(&r2, &v)); CU_ASSERT_EQUAL(v, 624485);
    CU_ASSERT_PTR_EQUAL(r2.p, r2.end);
    CU_ASSERT_TRUE(wasm_read_u32(&r3, &v)); CU_ASSERT_EQUAL(v, UINT32_MAX);

    /* non-minimal but within 5 bytes is allowed */
    wasm_reader r4 = R("\x80\x80\x80\x80\x00");
    CU_ASSERT_TRUE(wasm_read_u32(&r4, &v)); CU_ASSERT_EQUAL(v, 0);

    /* too long, unused bits set, truncated: refused and the reader stays put */
    wasm_reader bad[] = { R("\x80\x80\x80\x80\x80\x00"), R("\xff\xff\xff\xff\x1f"),
                          R("\x80\x80\x80\x80\x70"), R("\x80\x80"), R("") };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const uint8_t *before = bad[i].p;
        CU_ASSERT_FALSE(wasm_read_u32(&bad[i], &v));
        CU_ASSERT_PTR_EQUAL(bad[i].p, before);
    }
}

static void test_s32(void)
{
    int32_t v;
    wasm_reader a = R("\x7f"), b = R("\x80\x7f"), c = R("\x80\x80\x80\x80\x78"),
                d = R("\xff\xff\xff\xff\x07"), e = R("\x3f");
    CU_ASSERT_TRUE(wasm_read_s32(&a, &v)); CU_ASSERT_EQUAL(v, -1);
    CU_ASSERT_TRUE(wasm_read_s32(&b, &v)); CU_ASSERT_EQUAL(v, -128);
    CU_ASSERT_TRUE(wasm_read_s32(&c, &v)); CU_ASSERT_EQUAL(v, INT32_MIN);
    CU_ASSERT_TRUE(wasm_read_s32(&d, &v)); CU_ASSERT_EQUAL(v, INT32_MAX);
    CU_ASSERT_TRUE(wasm_read_s32(&e, &v)); CU_ASSERT_EQUAL(v, 63);
    /* last byte's unused bits must copy the sign bit */
    wasm_reader bad[] = { R("\x80\x80\x80\x80\x70"), R("\xff\xff\xff\xff\x0f"),
                          R("\x80\x80\x80\x80\x1f"), R("\xff\xff\xff\xff\x4f"),
                          R("\xff\xff\xff\xff\xff\x7f") };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CU_ASSERT_FALSE(wasm_read_s32(&bad[i], &v));
}

static void test_s33_s64(void)
{
    int64_t v;
    wasm_reader a = R("\x40"), b = R("\xff\xff\xff\xff\x0f"), c = R("\x80\x80\x80\x80\x70");
    CU_ASSERT_TRUE(wasm_read_s33(&a, &v)); CU_ASSERT_EQUAL(v, -64);
    CU_ASSERT_TRUE(wasm_read_s33(&b, &v)); CU_ASSERT_EQUAL(v, 0xFFFFFFFFll);
    CU_ASSERT_TRUE(wasm_read_s33(&c, &v)); CU_ASSERT_EQUAL(v, -(1ll << 32));
    wasm_reader bad33 = R("\x80\x80\x80\x80\x20");
    CU_ASSERT_FALSE(wasm_read_s33(&bad33, &v));

    wasm_reader m = R("\x80\x80\x80\x80\x80\x80\x80\x80\x80\x7f");
    wasm_reader x = R("\xff\xff\xff\xff\xff\xff\xff\xff\xff\x00");
    wasm_reader y = R("\x7f");
    CU_ASSERT_TRUE(wasm_read_s64(&m, &v)); CU_ASSERT_EQUAL(v, INT64_MIN);
    CU_ASSERT_TRUE(wasm_read_s64(&x, &v)); CU_ASSERT_EQUAL(v, INT64_MAX);
    CU_ASSERT_TRUE(wasm_read_s64(&y, &v)); CU_ASSERT_EQUAL(v, -1);
    wasm_reader bad[] = { R("\x80\x80\x80\x80\x80\x80\x80\x80\x80\x7e"),
                          R("\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01"),
                          R("\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x7f") };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CU_ASSERT_FALSE(wasm_read_s64(&bad[i], &v));
}

static void test_floats_and_bytes(void)
{
    uint32_t f; uint64_t g; uint8_t b;
    wasm_reader a = R("\x00\x00\x80\x3f"), c = R("\x00\x00\x00\x00\x00\x00\xf0\x3f"),
                s = R("\x01\x02\x03");
    CU_ASSERT_TRUE(wasm_read_f32(&a, &f)); CU_ASSERT_EQUAL(f, 0x3f800000u);
    CU_ASSERT_TRUE(wasm_read_f64(&c, &g)); CU_ASSERT_EQUAL(g, 0x3ff0000000000000ull);
    CU_ASSERT_FALSE(wasm_read_f32(&s, &f));
    CU_ASSERT_FALSE(wasm_read_f64(&s, &g));
    CU_ASSERT_TRUE(wasm_read_u8(&s, &b)); CU_ASSERT_EQUAL(b, 1);
    wasm_reader e = R("");
    CU_ASSERT_FALSE(wasm_read_u8(&e, &b));
}

static void test_snprintf(void)
{
    char buf[64];
    int n = rt_snprintf(buf, sizeof buf, "%s %d %u %x %c %%", "ab", -12, 34u, 0xbeefu, 'z');
    CU_ASSERT_STRING_EQUAL(buf, "ab -12 34 beef z %");
    CU_ASSERT_EQUAL(n, (int)strlen(buf));
    rt_snprintf(buf, sizeof buf, "%lld %llu %llx", (long long)INT64_MIN,
                (unsigned long long)UINT64_MAX, 0x123456789abcdefull);
    CU_ASSERT_STRING_EQUAL(buf, "-9223372036854775808 18446744073709551615 123456789abcdef");
    rt_snprintf(buf, sizeof buf, "[%04x][%5d][%-3s][%.*s][%zu][%05d]", 0x1fu, 42, "a", 2,
                "xyz", (size_t)7, -42);
    CU_ASSERT_STRING_EQUAL(buf, "[001f][   42][a  ][xy][7][-0042]");
    /* truncation always terminates and reports the full length */
    char small[5];
    n = rt_snprintf(small, sizeof small, "%s", "truncated");
    CU_ASSERT_STRING_EQUAL(small, "trun");
    CU_ASSERT_EQUAL(n, 9);
    CU_ASSERT_EQUAL(rt_snprintf(NULL, 0, "%d", 12345), 5);
    const char *volatile null_string = NULL;
    rt_snprintf(buf, sizeof buf, "%s|%d", null_string, INT32_MIN);
    CU_ASSERT_STRING_EQUAL(buf, "(null)|-2147483648");
}

void register_reader_tests(void)
{
    CU_pSuite s = CU_add_suite("readers", NULL, NULL);
    CU_add_test(s, "u32 LEB128", test_u32);
    CU_add_test(s, "s32 LEB128", test_s32);
    CU_add_test(s, "s33/s64 LEB128", test_s33_s64);
    CU_add_test(s, "floats and bytes", test_floats_and_bytes);
    CU_add_test(s, "rt_snprintf", test_snprintf);
}
