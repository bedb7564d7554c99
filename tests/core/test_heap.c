/* Exchange heap and handle table: allocation, access, quotas, unforgeable handles. */
#include <string.h>
#include "tests/core/fixture.h"

static void test_alloc_rw_free(void)
{
    sip *s = fx_sip("a");
    int32_t b = sys_block_alloc(s, 100);
    CU_ASSERT(b > 0);
    CU_ASSERT_EQUAL(sys_block_size(s, b), 100);
    CU_ASSERT_EQUAL(K->heap.used_bytes, 100);
    CU_ASSERT_EQUAL(sys_block_write(s, b, 10, "hello", 5), 5);
    char buf[8] = {0};
    CU_ASSERT_EQUAL(sys_block_read(s, b, 10, buf, 5), 5);
    CU_ASSERT_STRING_EQUAL(buf, "hello");
    CU_ASSERT_EQUAL(sys_block_read(s, b, 0, buf, 1), 1);
    CU_ASSERT_EQUAL(buf[0], 0);                       /* blocks start zeroed */
    CU_ASSERT_EQUAL(sys_block_write(s, b, 98, "abc", 3), SIP_EINVAL);   /* past the end */
    CU_ASSERT_EQUAL(sys_block_read(s, b, 0xFFFFFFF0u, buf, 0x20), SIP_EINVAL);  /* wraps */
    CU_ASSERT_EQUAL(s->fault[0], 0);                  /* range errors are not faults */
    FX_CHECK();
    CU_ASSERT_EQUAL(sys_block_free(s, b), 0);
    CU_ASSERT_EQUAL(K->heap.used_bytes, 0);
    CU_ASSERT_EQUAL(K->heap.live_blocks, 0);
    FX_CHECK();
}

static void test_zero_and_huge_blocks(void)
{
    sip *s = fx_sip("a");
    int32_t b = sys_block_alloc(s, 0);
    CU_ASSERT(b > 0);
    CU_ASSERT_EQUAL(sys_block_size(s, b), 0);
    CU_ASSERT(sys_block_alloc(s, 0xFFFFFFFFu) < 0);
    FX_CHECK();
}

static void test_byte_quota(void)
{
    sip *s = fx_sip_quota("q", 1000, 0);
    int32_t a = sys_block_alloc(s, 600);
    CU_ASSERT(a > 0);
    CU_ASSERT_EQUAL(sys_block_alloc(s, 500), SIP_EQUOTA);
    CU_ASSERT(sys_block_alloc(s, 400) > 0);
    CU_ASSERT_EQUAL(s->ht.bytes, 1000);
    CU_ASSERT_EQUAL(s->fault[0], 0);
    sys_block_free(s, a);
    CU_ASSERT(sys_block_alloc(s, 500) > 0);
    FX_CHECK();
}

static void test_handle_quota(void)
{
    sip *s = fx_sip_quota("h", 0, 8);
    for (int i = 0; i < 8; i++)
        CU_ASSERT(sys_block_alloc(s, 1) > 0);
    CU_ASSERT_EQUAL(sys_block_alloc(s, 1), SIP_EQUOTA);
    FX_CHECK();
}

static void test_forged_handle_faults(void)
{
    sip *s = fx_sip("f");
    int32_t b = sys_block_alloc(s, 8);
    CU_ASSERT_EQUAL(sys_block_size(s, 12345), SIP_EBADHANDLE);
    CU_ASSERT(s->fault[0] != 0);
    s->fault[0] = 0;
    CU_ASSERT_EQUAL(sys_block_size(s, b + (1 << 16)), SIP_EBADHANDLE);  /* wrong generation */
    CU_ASSERT(s->fault[0] != 0);
    s->fault[0] = 0;
    CU_ASSERT_EQUAL(sys_block_size(s, -1), SIP_EBADHANDLE);
    CU_ASSERT_EQUAL(sys_block_size(s, 0), SIP_EBADHANDLE);
    s->fault[0] = 0;
    /* a handle of another SIP means nothing in this one's table */
    sip *t = fx_sip("t");
    int32_t tb = sys_block_alloc(t, 8);
    /* handle numbers are per table: t's number names nothing of t's inside s */
    CU_ASSERT_PTR_NOT_EQUAL(htab_get(&s->ht, tb, HK_BLOCK), htab_get(&t->ht, tb, HK_BLOCK));
    CU_ASSERT_EQUAL(sys_block_size(t, tb), 8);
    FX_CHECK();
}

static void test_double_free_and_stale(void)
{
    sip *s = fx_sip("d");
    int32_t b = sys_block_alloc(s, 8);
    CU_ASSERT_EQUAL(sys_block_free(s, b), 0);
    CU_ASSERT_EQUAL(sys_block_free(s, b), SIP_EBADHANDLE);
    CU_ASSERT(strstr(s->fault, "block_free") != NULL);
    s->fault[0] = 0;
    /* the slot is reused with a new generation: the old handle stays dead */
    int32_t c = sys_block_alloc(s, 8);
    CU_ASSERT(c != b);
    CU_ASSERT_EQUAL(c & 0xFFFF, b & 0xFFFF);
    CU_ASSERT_EQUAL(sys_block_write(s, b, 0, "x", 1), SIP_EBADHANDLE);
    CU_ASSERT_EQUAL(sys_block_write(s, c, 0, "x", 1), 1);
    FX_CHECK();
}

static void test_block_kind_mismatch(void)
{
    sip *s = fx_sip("k");
    int32_t imp, exp;
    CU_ASSERT_EQUAL(sys_chan_create(s, "Ping", 4, &imp, &exp), 0);
    CU_ASSERT_EQUAL(sys_block_size(s, imp), SIP_EBADHANDLE);   /* an endpoint is not a block */
    s->fault[0] = 0;
    int32_t b = sys_block_alloc(s, 4);
    CU_ASSERT_EQUAL(sys_close(s, b), SIP_EBADHANDLE);          /* a block is not an endpoint */
    FX_CHECK();
}

static void test_terminate_frees_blocks(void)
{
    sip *s = fx_sip("t");
    for (int i = 0; i < 50; i++)
        sys_block_alloc(s, 1000);
    CU_ASSERT_EQUAL(K->heap.used_bytes, 50000);
    sip_kill(s, "test");
    CU_ASSERT_EQUAL(K->heap.used_bytes, 0);
    CU_ASSERT_EQUAL(K->heap.live_blocks, 0);
    CU_ASSERT_EQUAL(K->nsips_live, 0);
    FX_CHECK();
}

static void test_invariant_detects_corruption(void)
{
    sip *s = fx_sip("c");
    int32_t b = sys_block_alloc(s, 16);
    xblock *blk = htab_get(&s->ht, b, HK_BLOCK);
    char why[256];
    CU_ASSERT_EQUAL(kernel_check(K, why, sizeof why), 0);
    blk->own.slot += 1;                               /* corrupt the owner record */
    CU_ASSERT_EQUAL(kernel_check(K, why, sizeof why), -1);
    blk->own.slot -= 1;
    K->heap.used_bytes += 1;                          /* corrupt the accounting */
    CU_ASSERT_EQUAL(kernel_check(K, why, sizeof why), -1);
    K->heap.used_bytes -= 1;
    CU_ASSERT_EQUAL(kernel_check(K, why, sizeof why), 0);
}

void register_heap_tests(void)
{
    CU_pSuite s = CU_add_suite_with_setup_and_teardown("exchange heap", NULL, NULL, fx_setup, fx_teardown);
    CU_add_test(s, "alloc, read, write, free", test_alloc_rw_free);
    CU_add_test(s, "empty and oversized blocks", test_zero_and_huge_blocks);
    CU_add_test(s, "byte quota", test_byte_quota);
    CU_add_test(s, "handle quota", test_handle_quota);
    CU_add_test(s, "forged handles fault", test_forged_handle_faults);
    CU_add_test(s, "double free and stale handles fault", test_double_free_and_stale);
    CU_add_test(s, "handle kinds are checked", test_block_kind_mismatch);
    CU_add_test(s, "terminate frees every block", test_terminate_frees_blocks);
    CU_add_test(s, "invariant check detects corruption", test_invariant_detects_corruption);
}
