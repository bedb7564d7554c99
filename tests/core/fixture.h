/* Shared helpers for the node-kernel core tests: a kernel with a small contract library,
 * SIPs with native bodies, and the invariant check as a CUnit assertion. */
#ifndef TESTS_CORE_FIXTURE_H
#define TESTS_CORE_FIXTURE_H

#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include "node-kernel/core/channel.h"
#include "node-kernel/core/native.h"
#include "node-kernel/core/syscall.h"

extern kernel *K;
extern contract_set *CSET;

/* contracts used by the tests (defined in fixture.c) */
extern const char TEST_CONTRACTS[];

void fx_setup(void);          /* fresh kernel + contracts into K, CSET */
void fx_teardown(void);       /* kernel_free, contract_set_free */
/* A SIP with no body, not started (syscalls can be made on its behalf). */
sip *fx_sip(const char *name);
sip *fx_sip_quota(const char *name, uint64_t heap_bytes, uint32_t handles);
/* Run the invariant check and assert it holds. */
#define FX_CHECK()                                                   \
    do {                                                             \
        char why_[256];                                              \
        int r_ = kernel_check(K, why_, sizeof why_);                 \
        if (r_)                                                      \
            fprintf(stderr, "\ninvariant: %s\n", why_);              \
        CU_ASSERT_EQUAL(r_, 0);                                      \
    } while (0)

/* register the suites of each test file */
void register_heap_tests(void);
void register_channel_tests(void);
void register_sched_tests(void);
void register_manifest_tests(void);
void register_proxy_tests(void);
void register_freestanding_tests(void);

#endif
