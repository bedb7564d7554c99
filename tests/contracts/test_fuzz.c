/* A short, bounded libFuzzer run of the contract parser (tests/contracts/fuzz_parser.c),
 * seeded with the contract library: it must end with no crash and no leak. */
#include <stdio.h>
#include <stdlib.h>
#include "tests/contracts/helpers.h"

#define FUZZER CONTRACTS_BUILD_DIR "/tests/contracts/fuzz_contract_parser"

static void test_bounded_fuzz_run(void)
{
    char *dir = scratch_dir();               /* new corpus entries and any crash go here */
    CU_ASSERT_PTR_NOT_NULL_FATAL(dir);
    char artifacts[512], log[512];
    snprintf(artifacts, sizeof artifacts, "-artifact_prefix=%s/", dir);
    snprintf(log, sizeof log, "%s/fuzz.log", dir);
    char *argv[] = { FUZZER, "-runs=200000", "-max_total_time=30", "-max_len=2048",
                     "-timeout=10", "-rss_limit_mb=1024", "-dict=tests/contracts/contract.dict",
                     artifacts, dir, "contracts/lib", NULL };
    int status = run_program(argv, log);
    if (getenv("CONTRACTS_FUZZ_VERBOSE")) {
        char *text = read_text(log);
        fprintf(stderr, "%s", text ? text : "");
        free(text);
    }
    if (status != 0) {
        char *text = read_text(log);
        fprintf(stderr, "\n  fuzzer exit %d:\n%s\n", status, text ? text : "(no log)");
        free(text);
    }
    CU_ASSERT_EQUAL(status, 0);
    remove_dir(dir);
    free(dir);
}

void register_fuzz_suite(void)
{
    CU_pSuite s = CU_add_suite("contracts/fuzz", NULL, NULL);
    CU_add_test(s, "bounded libFuzzer run of the parser: no crash, no leak", test_bounded_fuzz_run);
}
