/* Self-check of the spec runner, part of test-spec-suite: small .wast scripts with
 * deliberately wrong assertions, a text module, import errors and a call that never ends,
 * run through the same path as the real suite. The runner must count exactly the expected
 * passes, failures and skips, so a runner that passes everything cannot go unnoticed. */
#include <CUnit/Basic.h>
#include <stdio.h>
#include <string.h>

#include "tests/spec/spec_suite.h"
#include "tests/spec/test_spec_selfcheck.h"

/* 15 commands: 11 pass, 3 fail (wrong value, wrong trap kind, no trap), 1 text skip. */
static const char checks_wast[] =
    "(module\n"
    "  (func (export \"add\") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))\n"
    "  (func (export \"nan\") (result f32) (f32.div (f32.const 0) (f32.const 0)))\n"
    "  (func (export \"div\") (param i32) (result i32) (i32.div_s (i32.const 1) (local.get 0)))\n"
    "  (func (export \"ext\") (param externref) (result externref) (local.get 0))\n"
    "  (global (export \"g\") i32 (i32.const 7)))\n"
    "(assert_return (invoke \"add\" (i32.const 1) (i32.const 2)) (i32.const 3))\n"
    "(assert_return (invoke \"add\" (i32.const 1) (i32.const 2)) (i32.const 4))\n"
    "(assert_return (invoke \"nan\") (f32.const nan:canonical))\n"
    "(assert_return (invoke \"ext\" (ref.extern 5)) (ref.extern 5))\n"
    "(assert_trap (invoke \"div\" (i32.const 0)) \"integer divide by zero\")\n"
    "(assert_trap (invoke \"div\" (i32.const 0)) \"integer overflow\")\n"
    "(assert_trap (invoke \"div\" (i32.const 1)) \"integer divide by zero\")\n"
    "(assert_return (get \"g\") (i32.const 7))\n"
    "(assert_malformed (module quote \"(func\") \"unexpected token\")\n"
    "(assert_invalid (module (func (result i32))) \"type mismatch\")\n"
    "(assert_unlinkable (module (import \"spectest\" \"nope\" (func))) \"unknown import\")\n"
    "(assert_unlinkable (module (import \"spectest\" \"print_i32\" (func (param i64)))) \"incompatible import type\")\n"
    "(module (import \"spectest\" \"global_i32\" (global i32)) (func (export \"g\") (result i32) (global.get 0)))\n"
    "(assert_return (invoke \"g\") (i32.const 666))\n";

/* 3 commands: the module passes; the call runs into the command limit; the next call
 * finds the store busy. */
static const char spin_wast[] =
    "(module (func (export \"spin\") (loop (br 0))))\n"
    "(assert_return (invoke \"spin\"))\n"
    "(assert_return (invoke \"spin\"))\n";

static char g_dir[SPEC_PATH_MAX];

static bool write_file(const char *name, const char *text)
{
    char path[SPEC_PATH_MAX + 64];
    snprintf(path, sizeof path, "%s/%s", g_dir, name);
    FILE *f = fopen(path, "w");
    if (!f) return false;
    bool ok = fputs(text, f) >= 0;
    return fclose(f) == 0 && ok;
}

static int selfcheck_init(void)
{
    if (!spec_make_tmpdir(g_dir, sizeof g_dir)) return 1;
    return write_file("checks.wast", checks_wast) && write_file("spin.wast", spin_wast) ? 0 : 1;
}

static int selfcheck_cleanup(void)
{
    spec_remove_tree(g_dir);
    return 0;
}

/* Run one of the files with the given limits; NULL if the run could not start. */
static spec_file_result *run_one(const char *name, double file_timeout, double cmd_timeout, size_t *count)
{
    spec_config cfg;
    char why[512];
    spec_config_init(&cfg);
    snprintf(cfg.suite_dir, sizeof cfg.suite_dir, "%s", g_dir);
    cfg.jobs = 1;
    cfg.file_timeout_s = file_timeout;
    cfg.command_timeout_s = cmd_timeout;
    char *names[1] = { (char *)name };
    spec_file_result *files = NULL;
    if (!spec_list_files(&cfg, names, 1, &files, count, why, sizeof why)) return NULL;
    if (!spec_run_files(&cfg, files, *count, why, sizeof why)) { spec_results_free(files, *count); return NULL; }
    return files;
}

static bool has_failure(const spec_file_result *f, const char *needle)
{
    return f->failures.buf && strstr(f->failures.buf, needle);
}

static void test_counts_and_failures(void)
{
    size_t n = 0;
    spec_file_result *f = run_one("checks", 30, 5, &n);
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    CU_ASSERT_EQUAL(n, 1);
    CU_ASSERT_EQUAL(f->outcome, SPEC_FILE_DONE);
    CU_ASSERT_EQUAL(f->commands, 15);
    CU_ASSERT_EQUAL(f->passed, 11);
    CU_ASSERT_EQUAL(f->failed, 3);
    CU_ASSERT_EQUAL(f->skipped, 1);
    CU_ASSERT_TRUE(has_failure(f, "expected (i32:4); got returned (i32:3)"));
    CU_ASSERT_TRUE(has_failure(f, "expected trap \"integer overflow\"; got trap"));
    CU_ASSERT_TRUE(has_failure(f, "expected trap \"integer divide by zero\"; got returned (i32:1)"));
    spec_results_free(f, n);
}

static void test_command_timeout(void)
{
    size_t n = 0;
    spec_file_result *f = run_one("spin.wast", 30, 0.3, &n);
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    CU_ASSERT_EQUAL(f->outcome, SPEC_FILE_DONE);
    CU_ASSERT_EQUAL(f->commands, 3);
    CU_ASSERT_EQUAL(f->passed, 1);
    CU_ASSERT_EQUAL(f->failed, 2);
    CU_ASSERT_TRUE(has_failure(f, "timeout"));
    CU_ASSERT_TRUE(has_failure(f, "busy"));
    spec_results_free(f, n);
}

static void test_file_timeout(void)
{
    size_t n = 0;
    spec_file_result *f = run_one("spin.wast", 0.5, 0, &n);    /* no command limit: killed */
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    CU_ASSERT_EQUAL(f->outcome, SPEC_FILE_TIMEOUT);
    CU_ASSERT_EQUAL(f->passed, 1);
    CU_ASSERT_EQUAL(f->failed, 2);                                /* the running call and the next */
    CU_ASSERT_PTR_NOT_NULL(strstr(f->outcome_detail, "line 2"));
    spec_results_free(f, n);
}

static void test_missing_file(void)
{
    size_t n = 0;
    spec_config cfg;
    char why[512];
    spec_config_init(&cfg);
    snprintf(cfg.suite_dir, sizeof cfg.suite_dir, "%s", g_dir);
    char *names[1] = { "no-such-file" };
    spec_file_result *files = NULL;
    CU_ASSERT_FALSE(spec_list_files(&cfg, names, 1, &files, &n, why, sizeof why));
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "no-such-file"));
}

void spec_add_selfcheck_suite(void)
{
    CU_pSuite s = CU_add_suite("spec-runner-selfcheck", selfcheck_init, selfcheck_cleanup);
    CU_add_test(s, "counts and failure details", test_counts_and_failures);
    CU_add_test(s, "per-command time limit", test_command_timeout);
    CU_add_test(s, "per-file time limit", test_file_timeout);
    CU_add_test(s, "unknown file name", test_missing_file);
}
