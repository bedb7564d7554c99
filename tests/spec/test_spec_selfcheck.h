/* The runner's self-check suite (test_spec_selfcheck.c), registered by test-spec-suite. */
#ifndef TESTS_SPEC_TEST_SPEC_SELFCHECK_H
#define TESTS_SPEC_TEST_SPEC_SELFCHECK_H
void spec_add_selfcheck_suite(void);
#endif
