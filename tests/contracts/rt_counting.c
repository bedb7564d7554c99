/* The rt_malloc family for the contracts tests: libc underneath, plus a count of live
 * allocations (to prove a set frees everything) and a countdown that makes the Nth
 * allocation fail (to prove every out-of-memory path is handled). */
#include <stdlib.h>
#include "sips/engine/rt.h"
#include "tests/contracts/rt_counting.h"

long rt_live_allocations;
long rt_fail_countdown = -1;

static bool should_fail(void)
{
    if (rt_fail_countdown < 0) return false;
    if (rt_fail_countdown == 0) return true;
    rt_fail_countdown--;
    return false;
}

void *rt_malloc(size_t n)
{
    if (should_fail()) return NULL;
    void *p = malloc(n ? n : 1);
    if (p) rt_live_allocations++;
    return p;
}

void *rt_realloc(void *p, size_t n)
{
    if (should_fail()) return NULL;
    void *q = realloc(p, n ? n : 1);
    if (q && !p) rt_live_allocations++;
    return q;
}

void rt_free(void *p)
{
    if (p) rt_live_allocations--;
    free(p);
}
