/* Out of memory: every allocation of a parse, in turn, fails; the parser must report
 * CONTRACT_E_NOMEM (never crash, never half-build a set) and free everything it took. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tests/contracts/helpers.h"
#include "tests/contracts/rt_counting.h"

static char *library_text(size_t *len)
{
    static const char *files[] = { "echo", "endpointpass", "keyvalue", "timer", "nameservice" };
    char *all = calloc(1, 1);
    *len = 0;
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char path[128];
        snprintf(path, sizeof path, "contracts/lib/%s.contract", files[i]);
        char *t = read_text(path);
        if (!t) { free(all); return NULL; }
        size_t n = strlen(t);
        all = realloc(all, *len + n + 1);
        memcpy(all + *len, t, n + 1);
        *len += n;
        free(t);
    }
    return all;
}

static void test_every_allocation_failure(void)
{
    size_t len;
    char *src = library_text(&len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(src);
    long before = rt_live_allocations;
    int failures = 0, steps = 0;
    for (long n = 0; n < 10000; n++, steps++) {
        contract_set *s = (contract_set *)1;
        contract_error err = { 0 };
        rt_fail_countdown = n;
        int r = contract_parse(src, len, "lib", &s, &err);
        rt_fail_countdown = -1;
        if (r == 0) {                      /* n was past the last allocation: done */
            CU_ASSERT_EQUAL(contract_set_count(s), 6);
            contract_set_free(s);
            CU_ASSERT_EQUAL(rt_live_allocations, before);
            break;
        }
        failures++;
        CU_ASSERT_EQUAL(r, CONTRACT_E_NOMEM);
        CU_ASSERT_PTR_NULL(s);
        CU_ASSERT_STRING_EQUAL(err.text, "out of memory");
        CU_ASSERT_EQUAL(rt_live_allocations, before);
    }
    CU_ASSERT(failures > 3);
    CU_ASSERT(steps < 10000);
    free(src);
}

/* Every set the other tests build is freed completely: parse and free many times. */
static void test_no_leak_over_many_sets(void)
{
    long before = rt_live_allocations;
    for (int i = 0; i < 50; i++) {
        contract_set *s = parse_library();
        CU_ASSERT_PTR_NOT_NULL(s);
        contract_set_free(s);
    }
    contract_error err;
    CU_ASSERT_PTR_NULL(parse_text("contract A { in message M(); state S { M! -> S; } }", &err));
    CU_ASSERT_EQUAL(rt_live_allocations, before);
}

void register_nomem_suite(void)
{
    CU_pSuite s = CU_add_suite("contracts/nomem", NULL, NULL);
    CU_add_test(s, "each allocation failing in turn: clean NOMEM, nothing leaked", test_every_allocation_failure);
    CU_add_test(s, "parsing and freeing leaves no live allocation", test_no_leak_over_many_sets);
}
