/* Per-file table and report file of the spec-suite runner (see spec_report.h). */
#include "tests/spec/spec_report.h"

#include <errno.h>
#include <libgen.h>
#include <string.h>
#include <sys/stat.h>

static const char *outcome_word(spec_file_outcome o)
{
    switch (o) {
    case SPEC_FILE_NOT_RUN: return "not run";
    case SPEC_FILE_DONE: return "";
    case SPEC_FILE_SIMD: return "SIMD: not run";
    case SPEC_FILE_CONVERT: return "wast2json failed";
    case SPEC_FILE_CRASHED: return "CRASHED";
    case SPEC_FILE_TIMEOUT: return "TIMEOUT";
    }
    return "?";
}

void spec_sum(const spec_file_result *files, size_t count, spec_totals *t)
{
    memset(t, 0, sizeof *t);
    for (size_t i = 0; i < count; i++) {
        const spec_file_result *f = &files[i];
        if (f->outcome == SPEC_FILE_SIMD) { t->files_simd++; continue; }
        if (f->outcome == SPEC_FILE_NOT_RUN) continue;
        t->files_run++;
        if (f->failed) t->files_failed++;
        t->commands += f->commands;
        t->passed += f->passed;
        t->failed += f->failed;
        t->skipped += f->skipped;
        t->notes += f->notes;
    }
}

void spec_print_table(FILE *out, const spec_file_result *files, size_t count)
{
    fprintf(out, "%-34s %8s %8s %8s %8s %6s %7s\n", "file", "commands", "passed", "failed", "skipped", "notes", "seconds");
    for (size_t i = 0; i < count; i++) {
        const spec_file_result *f = &files[i];
        if (f->outcome == SPEC_FILE_SIMD || f->outcome == SPEC_FILE_NOT_RUN) {
            fprintf(out, "%-34s %8s %8s %8s %8s %6s %7s  (%s)\n", f->name, "-", "-", "-", "-", "-", "-", outcome_word(f->outcome));
            continue;
        }
        fprintf(out, "%-34s %8u %8u %8u %8u %6u %7.2f", f->name, f->commands, f->passed, f->failed,
                f->skipped, f->notes, f->seconds);
        if (f->outcome != SPEC_FILE_DONE) fprintf(out, "  %s: %s", outcome_word(f->outcome), f->outcome_detail);
        fputc('\n', out);
    }
    spec_totals t;
    spec_sum(files, count, &t);
    fprintf(out, "%-34s %8u %8u %8u %8u %6u\n", "TOTAL", t.commands, t.passed, t.failed, t.skipped, t.notes);
    fprintf(out, "files: %u run, %u with failures, %u SIMD not run\n", t.files_run, t.files_failed, t.files_simd);
}

/* Print "file:line<TAB>type<TAB>detail" for each line of a text of "line\ttype\tdetail". */
static void print_lines(FILE *out, const char *file, const spec_text *t, const char *prefix)
{
    if (!t->buf) return;
    const char *p = t->buf;
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        const char *tab = memchr(p, '\t', n);
        if (tab) fprintf(out, "%s%s:%.*s\t%.*s\n", prefix, file, (int)(tab - p), p, (int)(n - (size_t)(tab - p) - 1), tab + 1);
        else fprintf(out, "%s%s:%.*s\n", prefix, file, (int)n, p);
        p += n + (nl ? 1 : 0);
    }
}

void spec_print_failures(FILE *out, const spec_file_result *files, size_t count, bool with_notes)
{
    for (size_t i = 0; i < count; i++) {
        print_lines(out, files[i].name, &files[i].failures, "");
        if (with_notes) print_lines(out, files[i].name, &files[i].note_lines, "note: ");
    }
}

bool spec_write_report(const char *path, const spec_file_result *files, size_t count)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", path);
    mkdir(dirname(dir), 0755);
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (!f) return false;
    spec_totals t;
    spec_sum(files, count, &t);
    fprintf(f, "# WebAssembly spec-suite report (tests/spec, docs/spec-tests.md)\n");
    fprintf(f, "# total: %u commands, %u passed, %u failed, %u skipped, %u message notes\n",
            t.commands, t.passed, t.failed, t.skipped, t.notes);
    fprintf(f, "# files: %u run, %u with failures, %u SIMD not run\n", t.files_run, t.files_failed, t.files_simd);
    fprintf(f, "#\n# per file: name commands passed failed skipped notes [outcome]\n");
    for (size_t i = 0; i < count; i++) {
        const spec_file_result *r = &files[i];
        if (r->outcome == SPEC_FILE_SIMD || r->outcome == SPEC_FILE_NOT_RUN) continue;
        fprintf(f, "%s %u %u %u %u %u", r->name, r->commands, r->passed, r->failed, r->skipped, r->notes);
        if (r->outcome != SPEC_FILE_DONE) fprintf(f, " %s: %s", outcome_word(r->outcome), r->outcome_detail);
        fputc('\n', f);
    }
    fprintf(f, "\n# failures: file:line<TAB>command<TAB>expected ...; got ...\n");
    spec_print_failures(f, files, count, false);
    fprintf(f, "\n# notes (command passed, message wording differs): file:line<TAB>command<TAB>detail\n");
    for (size_t i = 0; i < count; i++) print_lines(f, files[i].name, &files[i].note_lines, "");
    bool ok = fclose(f) == 0;
    if (ok) ok = rename(tmp, path) == 0;
    else remove(tmp);
    return ok;
}
