/* Per-file table and report file of the spec-suite runner (see spec_report.h). */
#include "tests/spec/spec_report.h"

#include <errno.h>
#include <libgen.h>
#include <stdlib.h>
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

/* ---- failure causes: failures grouped by command type and a normalized "got" part ---- */

typedef struct {
    char key[160];
    char example[300];          /* file:line of the first occurrence */
    unsigned count;
} cause;

/* "assert_return | returned (i32:N)" from type "assert_return" and a detail
 * "expected (i32:5); got returned (i32:7)": digits collapse to N, quoted text to "..". */
static void cause_key(const char *type, const char *detail, size_t dlen, char *out, size_t len)
{
    const char *got = NULL;
    for (const char *p = detail; p + 6 <= detail + dlen; p++)
        if (memcmp(p, "; got ", 6) == 0) { got = p + 6; break; }
    if (!got) got = detail;
    size_t off = (size_t)snprintf(out, len, "%s | ", type);
    bool in_quote = false;
    for (const char *p = got; p < detail + dlen && off + 2 < len; p++) {
        if (*p == '"') {
            if (!in_quote) { if (off + 5 < len) { memcpy(out + off, "\"..\"", 4); off += 4; } }
            in_quote = !in_quote;
            continue;
        }
        if (in_quote) continue;
        if (*p >= '0' && *p <= '9') {
            if (off == 0 || out[off - 1] != 'N') out[off++] = 'N';
            continue;
        }
        if (*p == 'x' && off > 0 && out[off - 1] == 'N') continue;    /* hex 0xNN */
        if (((*p >= 'a' && *p <= 'f') || (*p >= 'A' && *p <= 'F')) && off > 0 && out[off - 1] == 'N') continue;
        out[off++] = *p;
    }
    out[off] = 0;
}

static int cmp_causes(const void *a, const void *b)
{
    const cause *x = a, *y = b;
    if (x->count != y->count) return x->count < y->count ? 1 : -1;
    return strcmp(x->key, y->key);
}

void spec_print_causes(FILE *out, const spec_file_result *files, size_t count, unsigned top)
{
    cause *causes = NULL;
    size_t n = 0, cap = 0;
    for (size_t i = 0; i < count; i++) {
        const char *p = files[i].failures.buf;
        while (p && *p) {
            const char *nl = strchr(p, '\n');
            size_t len = nl ? (size_t)(nl - p) : strlen(p);
            const char *t1 = memchr(p, '\t', len);
            const char *t2 = t1 ? memchr(t1 + 1, '\t', len - (size_t)(t1 + 1 - p)) : NULL;
            if (t2) {
                char type[64], key[160];
                snprintf(type, sizeof type, "%.*s", (int)(t2 - t1 - 1), t1 + 1);
                cause_key(type, t2 + 1, len - (size_t)(t2 + 1 - p), key, sizeof key);
                size_t k;
                for (k = 0; k < n && strcmp(causes[k].key, key) != 0; k++) {}
                if (k == n) {
                    if (n == cap) {
                        cap = cap ? 2 * cap : 64;
                        cause *nc = realloc(causes, cap * sizeof *causes);
                        if (!nc) { free(causes); return; }
                        causes = nc;
                    }
                    memset(&causes[n], 0, sizeof causes[n]);
                    snprintf(causes[n].key, sizeof causes[n].key, "%s", key);
                    snprintf(causes[n].example, sizeof causes[n].example, "%s:%.*s", files[i].name, (int)(t1 - p), p);
                    n++;
                }
                causes[k].count++;
            }
            p += len + (nl ? 1 : 0);
        }
    }
    if (n)      /* qsort wants a real array even for zero elements */
        qsort(causes, n, sizeof *causes, cmp_causes);
    for (size_t k = 0; k < n && k < top; k++)
        fprintf(out, "%7u  %-90s e.g. %s\n", causes[k].count, causes[k].key, causes[k].example);
    if (n > top) fprintf(out, "%7s  (%zu more kinds)\n", "", n - top);
    free(causes);
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
    fprintf(f, "\n# most frequent failure kinds: count  command | what the engine did (numbers as N)\n");
    spec_print_causes(f, files, count, 40);
    fprintf(f, "\n# failures: file:line<TAB>command<TAB>expected ...; got ...\n");
    spec_print_failures(f, files, count, false);
    fprintf(f, "\n# notes (command passed, message wording differs): file:line<TAB>command<TAB>detail\n");
    for (size_t i = 0; i < count; i++) print_lines(f, files[i].name, &files[i].note_lines, "");
    bool ok = fclose(f) == 0;
    if (ok) ok = rename(tmp, path) == 0;
    else remove(tmp);
    return ok;
}
