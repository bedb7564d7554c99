/* CUnit quick check of bench/engine: every compute program, built natively and as a SIP,
 * run on a tiny input, must print the same checksum line and exit 0. No timing is judged
 * here (timings belong to engine_bench). The native runs are child processes this test
 * starts and reaps itself. */
#include "bench/engine/bench_exec.h"
#include "bench/engine/bench_programs.h"
#include "tests/cunit_main.h"

#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void test_checksums_match(void)
{
    for (const bench_program *p = bench_programs; p->name; p++) {
        char native[4096], wasm[4096];
        bench_native_path(native, sizeof native, p->name);
        bench_wasm_path(wasm, sizeof wasm, p->name);
        bench_outcome n, e;
        bool nok = bench_run_native(native, p->quick_arg, &n);
        bool eok = bench_run_engine(wasm, p->quick_arg, &e);
        if (!nok || !eok || strcmp(n.output, e.output) != 0)
            fprintf(stderr, "\n%s: native [%d %s] \"%s\"  engine [%d %s] \"%s\"\n", p->name,
                    n.exit_code, n.error, n.output, e.exit_code, e.error, e.output);
        CU_ASSERT_TRUE(nok);
        CU_ASSERT_TRUE(eok);
        CU_ASSERT_STRING_EQUAL(n.output, e.output);
        /* the line names the program: a program that printed nothing cannot pass */
        CU_ASSERT_EQUAL(strncmp(e.output, p->name, strlen(p->name)), 0);
    }
}

/* The runner's own --quick mode: exit status 0 and one "checksums match" line per program. */
static void test_runner_quick_mode(void)
{
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "%s/bench/engine/engine_bench --quick", bench_build_dir());
    FILE *p = popen(cmd, "r");
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    char line[512];
    int matched = 0, programs = 0;
    while (fgets(line, sizeof line, p)) matched += strstr(line, "checksums match") != NULL;
    for (const bench_program *b = bench_programs; b->name; b++) programs++;
    int status = pclose(p);                  /* waits for the runner */
    CU_ASSERT_EQUAL(status, 0);
    CU_ASSERT_EQUAL(matched, programs);
}

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS) return 1;
    CU_pSuite s = CU_add_suite("engine_bench_quick", NULL, NULL);
    CU_add_test(s, "native and wasm builds print the same checksums", test_checksums_match);
    CU_add_test(s, "engine_bench --quick agrees", test_runner_quick_mode);
    return cunit_run_all("build/tests/wasi/test_engine_bench");
}
