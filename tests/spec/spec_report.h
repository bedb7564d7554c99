/* Presenting spec-suite results: the per-file table with totals, and the stable report
 * file (build/spec-report.txt) listing every failing command for the engine's authors. */
#ifndef TESTS_SPEC_SPEC_REPORT_H
#define TESTS_SPEC_SPEC_REPORT_H

#include <stdio.h>
#include "tests/spec/spec_suite.h"

typedef struct {
    unsigned files_run, files_failed, files_simd;
    unsigned commands, passed, failed, skipped, notes;
} spec_totals;

void spec_sum(const spec_file_result *files, size_t count, spec_totals *t);

/* The table: one row per file (SIMD files listed as not run), then the total row. */
void spec_print_table(FILE *out, const spec_file_result *files, size_t count);

/* Every failing command as "file:line  type  detail" (and notes if with_notes). */
void spec_print_failures(FILE *out, const spec_file_result *files, size_t count, bool with_notes);

/* The `top` most frequent kinds of failure: failures grouped by command type and what the
 * engine did, with numbers and quoted text blanked out; one line each with a count and an
 * example location. */
void spec_print_causes(FILE *out, const spec_file_result *files, size_t count, unsigned top);

/* Write the report to path (creating its directory's last component if needed). No
 * timings in it, so two runs of the same engine give the same file. */
bool spec_write_report(const char *path, const spec_file_result *files, size_t count);

#endif
