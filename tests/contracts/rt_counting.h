/* Allocation accounting for the contracts tests (see rt_counting.c). */
#ifndef TESTS_CONTRACTS_RT_COUNTING_H
#define TESTS_CONTRACTS_RT_COUNTING_H

extern long rt_live_allocations;   /* rt_malloc'd blocks not yet freed */
extern long rt_fail_countdown;     /* -1: never fail; N: the allocation after N more fails */

#endif
