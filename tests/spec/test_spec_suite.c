/* CUnit program for the WebAssembly spec suite: suite "spec-values" checks the runner's own
 * value parsing and NaN/reference matching; suite "spec-files" has one test per non-SIMD
 * .wast file of ../shared/wasm-testsuite asserting that the file has no failing command;
 * suite "spec-files-paused" does the same with every call paused and resumed at each fuel
 * check; suite "spec-runner-selfcheck" (test_spec_selfcheck.c) checks the runner on
 * scripts with known failures.
 * The files of a suite all run (in child processes, two at a time) on its first test; the
 * table is printed and build/spec-report.txt (-paused.txt) written when the suite ends. */
#include <CUnit/Basic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/cunit_main.h"
#include "tests/spec/spec_report.h"
#include "tests/spec/spec_suite.h"
#include "tests/spec/test_spec_selfcheck.h"
#include "tests/spec/spec_values.h"

/* ---- spec-values --------------------------------------------------------------------------- */

static json_t *jv(const char *type, const char *value)
{
    return value ? json_pack("{s:s, s:s}", "type", type, "value", value) : json_pack("{s:s}", "type", type);
}

static bool expect_of(const char *type, const char *value, spec_expect *e)
{
    char why[128];
    json_t *j = jv(type, value);
    bool ok = spec_parse_expect(j, e, why, sizeof why);
    json_decref(j);
    return ok;
}

static wasm_val f32v(uint32_t bits) { wasm_val v = { .type = WASM_F32 }; memcpy(&v.of.f32, &bits, 4); return v; }
static wasm_val f64v(uint64_t bits) { wasm_val v = { .type = WASM_F64 }; memcpy(&v.of.f64, &bits, 8); return v; }

static void test_integers(void)
{
    spec_expect e;
    wasm_val v = { .type = WASM_I32, .of.i32 = 4294967295u };
    CU_ASSERT_TRUE(expect_of("i32", "4294967295", &e));
    CU_ASSERT_TRUE(spec_value_matches(&e, &v));
    v.of.i32 = 0;
    CU_ASSERT_FALSE(spec_value_matches(&e, &v));
    CU_ASSERT_FALSE(expect_of("i32", "4294967296", &e));        /* out of range */
    CU_ASSERT_FALSE(expect_of("i32", "-1", &e));
    CU_ASSERT_FALSE(expect_of("i32", "12x", &e));
    CU_ASSERT_TRUE(expect_of("i64", "18446744073709551615", &e));
    wasm_val w = { .type = WASM_I64, .of.i64 = UINT64_MAX };
    CU_ASSERT_TRUE(spec_value_matches(&e, &w));
    w.type = WASM_I32;                                          /* right bits, wrong type */
    CU_ASSERT_FALSE(spec_value_matches(&e, &w));
}

static void test_float_bits(void)
{
    spec_expect e;
    wasm_val neg0 = f32v(0x80000000u), pos0 = f32v(0);
    CU_ASSERT_TRUE(expect_of("f32", "2147483648", &e));         /* -0.0 */
    CU_ASSERT_TRUE(spec_value_matches(&e, &neg0));
    CU_ASSERT_FALSE(spec_value_matches(&e, &pos0));             /* bitwise, not == */
    CU_ASSERT_TRUE(expect_of("f64", "9221120237041090560", &e)); /* 0x7ff8000000000000 */
    wasm_val nan = f64v(0x7ff8000000000000ull), other = f64v(0x7ff8000000000001ull);
    CU_ASSERT_TRUE(spec_value_matches(&e, &nan));
    CU_ASSERT_FALSE(spec_value_matches(&e, &other));
}

static void test_nan_patterns(void)
{
    spec_expect canon, arith;
    CU_ASSERT_TRUE(expect_of("f32", "nan:canonical", &canon));
    CU_ASSERT_TRUE(expect_of("f32", "nan:arithmetic", &arith));
    wasm_val c = f32v(0x7fc00000u), nc = f32v(0xffc00000u), payload = f32v(0x7fc00001u),
             signalling = f32v(0x7f800001u), inf = f32v(0x7f800000u);
    CU_ASSERT_TRUE(spec_value_matches(&canon, &c));
    CU_ASSERT_TRUE(spec_value_matches(&canon, &nc));
    CU_ASSERT_FALSE(spec_value_matches(&canon, &payload));
    CU_ASSERT_TRUE(spec_value_matches(&arith, &payload));
    CU_ASSERT_FALSE(spec_value_matches(&arith, &signalling));
    CU_ASSERT_FALSE(spec_value_matches(&arith, &inf));
    CU_ASSERT_TRUE(expect_of("f64", "nan:canonical", &canon));
    wasm_val d = f64v(0xfff8000000000000ull), dp = f64v(0x7ff8000000000100ull);
    CU_ASSERT_TRUE(spec_value_matches(&canon, &d));
    CU_ASSERT_FALSE(spec_value_matches(&canon, &dp));
    CU_ASSERT_FALSE(expect_of("f32", "nan:bogus", &canon));
}

static void test_references(void)
{
    spec_expect e;
    wasm_val null_ext = { .type = WASM_EXTERNREF, .of.ref = WASM_REF_NULL };
    wasm_val ext42 = { .type = WASM_EXTERNREF, .of.ref = 42 };
    wasm_val null_fn = { .type = WASM_FUNCREF, .of.ref = WASM_REF_NULL };
    wasm_val fn3 = { .type = WASM_FUNCREF, .of.ref = 3 };
    CU_ASSERT_TRUE(expect_of("externref", "null", &e));
    CU_ASSERT_TRUE(spec_value_matches(&e, &null_ext));
    CU_ASSERT_FALSE(spec_value_matches(&e, &ext42));
    CU_ASSERT_FALSE(spec_value_matches(&e, &null_fn));          /* null of the other type */
    CU_ASSERT_TRUE(expect_of("externref", "42", &e));
    CU_ASSERT_TRUE(spec_value_matches(&e, &ext42));
    CU_ASSERT_TRUE(expect_of("funcref", NULL, &e));             /* ref.func: any non-null */
    CU_ASSERT_TRUE(spec_value_matches(&e, &fn3));
    CU_ASSERT_FALSE(spec_value_matches(&e, &null_fn));
}

static void test_bad_values(void)
{
    char why[128];
    wasm_val v;
    json_t *j = jv("v128", "0");
    CU_ASSERT_FALSE(spec_parse_arg(j, &v, why, sizeof why));
    CU_ASSERT_TRUE(spec_json_is_v128(j));
    json_decref(j);
    j = jv("i128", "0");
    CU_ASSERT_FALSE(spec_parse_arg(j, &v, why, sizeof why));
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "i128"));
    json_decref(j);
    j = json_pack("{s:s}", "value", "1");
    CU_ASSERT_FALSE(spec_parse_arg(j, &v, why, sizeof why));
    json_decref(j);
    j = jv("i32", NULL);
    CU_ASSERT_FALSE(spec_parse_arg(j, &v, why, sizeof why));
    json_decref(j);
}

/* ---- spec-files, spec-files-paused ------------------------------------------------------- */

/* One pass over the suite. "spec-files" runs calls with the default fuel slice;
 * "spec-files-paused" runs them with a fuel slice of 1, so every call pauses at each fuel
 * check (function entries, loop back-edges) and resumes: the design's "pause at any
 * instruction boundary, resume with identical results", checked against the whole suite. */
typedef struct {
    const char *suite_name;
    const char *report_name;        /* under <root>/build/ */
    uint64_t fuel_slice;
    spec_config cfg;
    spec_file_result *files;
    size_t count;
    bool ran, run_ok;
    char why[1024];
} suite_pass;

static suite_pass g_passes[] = {
    { .suite_name = "spec-files", .report_name = "spec-report.txt", .fuel_slice = 0 },
    { .suite_name = "spec-files-paused", .report_name = "spec-report-paused.txt", .fuel_slice = 1 },
};
#define NPASSES (sizeof g_passes / sizeof g_passes[0])
static char g_root[SPEC_PATH_MAX];

static suite_pass *current_pass(void)
{
    const char *name = CU_get_current_suite()->pName;
    for (size_t i = 0; i < NPASSES; i++)
        if (strcmp(g_passes[i].suite_name, name) == 0) return &g_passes[i];
    return NULL;
}

static void ensure_run(suite_pass *p)
{
    if (p->ran) return;
    p->ran = true;
    size_t n = 0;
    for (size_t i = 0; i < p->count; i++) n += p->files[i].outcome != SPEC_FILE_SIMD;
    printf("\n  running %zu files from %s, %u at a time, fuel slice %s...\n", n, p->cfg.suite_dir,
           p->cfg.jobs, p->fuel_slice ? "1" : "default");
    fflush(stdout);
    p->run_ok = spec_run_files(&p->cfg, p->files, p->count, p->why, sizeof p->why);
}

static spec_file_result *file_named(suite_pass *p, const char *name)
{
    for (size_t i = 0; i < p->count; i++)
        if (strcmp(p->files[i].name, name) == 0) return &p->files[i];
    return NULL;
}

/* One test function for every file: it finds its pass by the suite's name and its file by
 * the test's name. */
static void test_one_file(void)
{
    suite_pass *p = current_pass();
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    ensure_run(p);
    CU_ASSERT_TRUE_FATAL(p->run_ok);
    const spec_file_result *f = file_named(p, CU_get_current_test()->pName);
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    char msg[1200];
    const char *first = f->failures.buf ? f->failures.buf : "";
    char line[600];
    snprintf(line, sizeof line, "%.*s", (int)strcspn(first, "\n"), first);
    for (char *t = line; (t = strchr(t, '\t')); ) *t = ' ';
    snprintf(msg, sizeof msg, "%s: %u of %u commands failed%s%s; first at line %s (see build/%s)",
             f->name, f->failed, f->commands, f->outcome_detail[0] ? ", " : "", f->outcome_detail, line,
             p->report_name);
    bool ok = f->failed == 0 && f->outcome == SPEC_FILE_DONE;
    CU_assertImplementation(ok, __LINE__, ok ? "no failures" : msg, __FILE__, "", CU_FALSE);
    CU_ASSERT_TRUE(f->commands > 0);
}

static void test_suite_found(void)
{
    suite_pass *p = current_pass();
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    if (p->why[0]) fprintf(stderr, "\n  %s\n", p->why);
    CU_ASSERT_PTR_NOT_NULL(p->files);
}

static int files_cleanup(void)
{
    suite_pass *p = current_pass();
    if (!p) return 0;
    if (p->ran && p->run_ok) {
        char report[SPEC_PATH_MAX + 64];
        printf("\n");
        spec_print_table(stdout, p->files, p->count);
        snprintf(report, sizeof report, "%s/build/%s", g_root, p->report_name);
        if (spec_write_report(report, p->files, p->count)) printf("report: %s\n", report);
    }
    if (p->files) spec_results_free(p->files, p->count);
    p->files = NULL;
    return 0;
}

static void add_pass(suite_pass *p)
{
    CU_pSuite s = CU_add_suite(p->suite_name, NULL, files_cleanup);
    spec_config_init(&p->cfg);
    p->cfg.fuel_slice = p->fuel_slice;
    if (!spec_find_suite(g_root, p->cfg.suite_dir, sizeof p->cfg.suite_dir, p->why, sizeof p->why) ||
        !spec_list_files(&p->cfg, NULL, 0, &p->files, &p->count, p->why, sizeof p->why)) {
        p->files = NULL;
        CU_add_test(s, "suite found", test_suite_found);
        return;
    }
    for (size_t i = 0; i < p->count; i++)
        if (p->files[i].outcome != SPEC_FILE_SIMD)
            CU_add_test(s, p->files[i].name, test_one_file);
}

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS) return 1;
    CU_pSuite values = CU_add_suite("spec-values", NULL, NULL);
    CU_add_test(values, "integers", test_integers);
    CU_add_test(values, "float bits", test_float_bits);
    CU_add_test(values, "nan patterns", test_nan_patterns);
    CU_add_test(values, "references", test_references);
    CU_add_test(values, "bad values", test_bad_values);

    spec_add_selfcheck_suite();

    spec_repo_root(g_root, sizeof g_root);
    for (size_t i = 0; i < NPASSES; i++) add_pass(&g_passes[i]);
    return cunit_run_all("build/bin/test-spec-suite");
}
