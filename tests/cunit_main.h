/* Shared ending for every CUnit test program: run all registered suites in basic mode,
 * report the counts to mk/run-tests.sh (through $MULT_TEST_COUNTS) and turn failures
 * into a non-zero exit status. */
#ifndef MULT_TESTS_CUNIT_MAIN_H
#define MULT_TESTS_CUNIT_MAIN_H
#include <CUnit/Basic.h>
#include <stdio.h>
#include <stdlib.h>

static inline int cunit_run_all(const char *program)
{
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    unsigned run = CU_get_number_of_tests_run();
    unsigned failed = CU_get_number_of_tests_failed();
    const char *path = getenv("MULT_TEST_COUNTS");
    if (path) {
        FILE *f = fopen(path, "a");
        if (f) { fprintf(f, "%s %u %u\n", program, run - failed, failed); fclose(f); }
    }
    CU_cleanup_registry();
    return failed ? 1 : 0;
}
#endif
