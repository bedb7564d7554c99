/* test_cli: the command-line tools as a first user meets them, no cluster needed:
 * `--help` prints usage on stdout and exits 0 (sipctl, siprun, sipnode, orchd, contractc);
 * usage errors say what was wrong; sipctl against a closed port exits 3 with a hint;
 * siprun names a file that is not WebAssembly; contractc -o makes missing directories.
 * Run from the repository root. Everything it makes lives in one mkdtemp directory,
 * removed at the end even when an assertion failed. */
#include <CUnit/Basic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "tests/cunit_main.h"

static char tmpdir[] = "/tmp/test_cli.XXXXXX";

/* Run a shell command; its stdout and stderr (each up to 8 KiB) and exit status. */
typedef struct { char out[8192], err[8192]; int status; } run_result;

static void slurp(const char *path, char *buf, size_t n)
{
    FILE *f = fopen(path, "r");
    size_t got = f ? fread(buf, 1, n - 1, f) : 0;
    buf[got] = 0;
    if (f) fclose(f);
}

static void run(const char *cmd, run_result *r)
{
    char full[2048], outp[256], errp[256];
    snprintf(outp, sizeof outp, "%s/out", tmpdir);
    snprintf(errp, sizeof errp, "%s/err", tmpdir);
    snprintf(full, sizeof full, "%s >%s 2>%s </dev/null", cmd, outp, errp);
    int st = system(full);
    r->status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    slurp(outp, r->out, sizeof r->out);
    slurp(errp, r->err, sizeof r->err);
}

static void test_help_exits_zero_on_stdout(void)
{
    const char *tools[] = { "build/bin/sipctl", "build/bin/siprun", "build/bin/sipnode",
                            "build/bin/orchd", "build/bin/contractc" };
    for (size_t i = 0; i < sizeof tools / sizeof *tools; i++) {
        char cmd[256];
        run_result r;
        snprintf(cmd, sizeof cmd, "%s --help", tools[i]);
        run(cmd, &r);
        CU_ASSERT_EQUAL(r.status, 0);
        CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "usage:"));
        CU_ASSERT_EQUAL(r.err[0], 0);
    }
}

static void test_usage_errors_say_why(void)
{
    run_result r;
    run("build/bin/sipctl frobnicate", &r);
    CU_ASSERT_EQUAL(r.status, 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "unknown command 'frobnicate'"));
    run("build/bin/sipctl apply app.yaml", &r);
    CU_ASSERT_EQUAL(r.status, 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "-f FILE"));
    run("build/bin/contractc -z x.contract", &r);
    CU_ASSERT_EQUAL(r.status, 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "unknown option '-z'"));
}

static void test_sipctl_unreachable(void)
{
    run_result r;   /* port 1 on loopback: nothing listens there */
    run("build/bin/sipctl -s http://127.0.0.1:1 get nodes", &r);
    CU_ASSERT_EQUAL(r.status, 3);
    CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "SIPCTL_SERVER"));
}

static void test_siprun_not_wasm(void)
{
    run_result r;
    run("build/bin/siprun README.md", &r);
    CU_ASSERT_EQUAL(r.status, 126);
    CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "README.md: not a valid WebAssembly module"));
}

static void test_contractc_makes_output_dir(void)
{
    char cmd[512], path[256];
    run_result r;
    snprintf(path, sizeof path, "%s/gen/apps", tmpdir);
    snprintf(cmd, sizeof cmd, "build/bin/contractc -q -o %s contracts/lib/echo.contract", path);
    run(cmd, &r);
    CU_ASSERT_EQUAL(r.status, 0);
    snprintf(path, sizeof path, "%s/gen/apps/Echo.h", tmpdir);
    CU_ASSERT_EQUAL(access(path, R_OK), 0);
    snprintf(cmd, sizeof cmd, "build/bin/contractc -o %s/out/x contracts/lib/echo.contract", tmpdir);
    run(cmd, &r);       /* "out" is a file: the directory cannot be made */
    CU_ASSERT_EQUAL(r.status, 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "cannot make the directory"));
}

int main(void)
{
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    CU_initialize_registry();
    CU_pSuite s = CU_add_suite("cli", NULL, NULL);
    CU_add_test(s, "--help exits 0 with usage on stdout", test_help_exits_zero_on_stdout);
    CU_add_test(s, "usage errors say what was wrong", test_usage_errors_say_why);
    CU_add_test(s, "sipctl: orchd unreachable", test_sipctl_unreachable);
    CU_add_test(s, "siprun: not a WebAssembly module", test_siprun_not_wasm);
    CU_add_test(s, "contractc -o makes missing directories", test_contractc_makes_output_dir);
    int rc = cunit_run_all("build/tests/cli/test_cli");
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
    if (system(cmd) != 0)
        fprintf(stderr, "test_cli: could not remove %s\n", tmpdir);
    return rc;
}
