/* spec-runner: runs the WebAssembly core spec suite (../shared/wasm-testsuite) against the
 * SIP engine and prints a per-file table. See docs/spec-tests.md.
 *
 *   spec-runner [options] [FILE ...]     FILE: a suite file name, with or without .wast
 *     -v            list every failing command (-vv: also message-wording notes)
 *     -j N          files run in parallel (default 2, or $MULT_SPEC_JOBS)
 *     -t SECONDS    per-file time limit (default 60)
 *     -x            run in this process, no fork (for gdb; a crash ends the run)
 *     -p            let spectest.print* print their arguments to stderr
 *     -f N          run calls in fuel slices of N (pause/resume stress; default 2^26)
 *     --simd        also run simd_*.wast (commands with v128 values are skipped)
 *     -o PATH       write the report there (default build/spec-report.txt, full runs only)
 *     --json PATH   run one already converted .json in this process
 * Exit status: 0 all passed, 1 some failed, 2 usage or setup error. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/spec/spec_file.h"
#include "tests/spec/spec_report.h"
#include "tests/spec/spec_suite.h"

static void usage(void)
{
    fprintf(stderr, "usage: spec-runner [-v|-vv] [-j N] [-t SECONDS] [-x] [-p] [-f FUEL] [--simd] [-o REPORT] "
                    "[--json FILE.json] [FILE[.wast] ...]\n");
    exit(2);
}

/* --json: one converted file, in process, failures printed as they come. */
static int run_json(const char *path, const spec_config *cfg)
{
    spec_file_result *f = calloc(1, sizeof *f);
    if (!f) return 2;
    snprintf(f->name, sizeof f->name, "%s", path);
    snprintf(f->path, sizeof f->path, "%s", path);
    spec_run_json(cfg, f, path);
    spec_print_table(stdout, f, 1);
    if (cfg->verbose == 0) spec_print_failures(stdout, f, 1, false);
    int rc = f->failed ? 1 : 0;
    spec_results_free(f, 1);
    return rc;
}

int main(int argc, char **argv)
{
    spec_config cfg;
    spec_config_init(&cfg);
    const char *report = NULL, *json = NULL;
    char **names = calloc((size_t)argc, sizeof *names);
    int nnames = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-v") == 0) cfg.verbose = 1;
        else if (strcmp(a, "-vv") == 0) cfg.verbose = 2;
        else if (strcmp(a, "-x") == 0) cfg.fork_children = false;
        else if (strcmp(a, "-p") == 0) cfg.log_prints = true;
        else if (strcmp(a, "-j") == 0 && i + 1 < argc) cfg.jobs = (unsigned)atoi(argv[++i]);
        else if (strcmp(a, "-t") == 0 && i + 1 < argc) cfg.file_timeout_s = atof(argv[++i]);
        else if (strcmp(a, "-o") == 0 && i + 1 < argc) report = argv[++i];
        else if (strcmp(a, "-f") == 0 && i + 1 < argc) cfg.fuel_slice = strtoull(argv[++i], NULL, 10);
        else if (strcmp(a, "--simd") == 0) cfg.run_simd = true;
        else if (strcmp(a, "--json") == 0 && i + 1 < argc) json = argv[++i];
        else if (a[0] == '-') usage();
        else names[nnames++] = argv[i];
    }
    if (cfg.jobs < 1 || cfg.jobs > 64) usage();
    if (json) { free(names); return run_json(json, &cfg); }

    char root[SPEC_PATH_MAX], why[1024], default_report[SPEC_PATH_MAX + 64];
    spec_repo_root(root, sizeof root);
    if (!spec_find_suite(root, cfg.suite_dir, sizeof cfg.suite_dir, why, sizeof why)) {
        fprintf(stderr, "spec-runner: %s\n", why);
        return 2;
    }
    if (!report && nnames == 0) {
        snprintf(default_report, sizeof default_report, "%s/build/spec-report.txt", root);
        report = default_report;
    }
    spec_file_result *files;
    size_t count;
    if (!spec_list_files(&cfg, names, nnames, &files, &count, why, sizeof why)) {
        fprintf(stderr, "spec-runner: %s\n", why);
        return 2;
    }
    free(names);
    printf("spec suite: %s (%zu files, %u at a time)\n", cfg.suite_dir, count, cfg.jobs);
    if (!spec_run_files(&cfg, files, count, why, sizeof why)) {
        fprintf(stderr, "spec-runner: %s\n", why);
        spec_results_free(files, count);
        return 2;
    }
    spec_print_table(stdout, files, count);
    if (report) {
        if (spec_write_report(report, files, count)) printf("report: %s\n", report);
        else fprintf(stderr, "spec-runner: cannot write %s\n", report);
    }
    spec_totals t;
    spec_sum(files, count, &t);
    spec_results_free(files, count);
    return t.failed ? 1 : 0;
}
