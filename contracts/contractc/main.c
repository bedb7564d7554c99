/* contractc: checks contract files and writes, for every contract they define, a C
 * header of typed stubs for SIPs (<Name>.h), the kernel table form (<Name>.table.c) and
 * Markdown documentation (<Name>.md).
 *
 *   contractc [-o DIR] [-c] [-q] file.contract...
 *
 * All files form one set, so imp<C>/exp<C> may name a contract of any of them.
 * -c only checks; DIR (and its parents) is made if missing. Errors go to stderr as
 * "file:line: reason"; the exit status is 1. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "contracts/contractc/emit.h"

static void usage(FILE *out)
{
    fprintf(out, "usage: contractc [-o DIR] [-c] [-q] file.contract...\n"
                    "  -o DIR  write <Name>.h, <Name>.table.c and <Name>.md into DIR (default .)\n"
                    "  -c      check only, write nothing\n"
                    "  -q      quiet: no summary line\n");
}

/* Read a whole file; NULL (with a message) on failure. */
static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) { fprintf(stderr, "contractc: %s: %s\n", path, strerror(errno)); return NULL; }
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    errno = 0;
    while (buf) {
        n += fread(buf + n, 1, cap - n, f);
        if (n < cap) break;
        char *bigger = realloc(buf, cap *= 2);
        if (!bigger) { free(buf); buf = NULL; }
        buf = bigger;
    }
    if (!buf || ferror(f)) {
        fprintf(stderr, "contractc: %s: %s\n", path,
                !buf ? "out of memory" : errno ? strerror(errno) : "read error");
        free(buf);
        buf = NULL;
    }
    fclose(f);
    *len = n;
    return buf;
}

static int write_one(const char *dir, const char *name, const char *suffix,
                     int (*emit)(FILE *, const contract *), const contract *c)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s%s", dir, name, suffix);
    FILE *f = fopen(path, "w");
    if (!f) { fprintf(stderr, "contractc: %s: %s\n", path, strerror(errno)); return -1; }
    int r = emit(f, c);
    if (fclose(f) != 0 || r) {
        fprintf(stderr, "contractc: %s: write error\n", path);
        return -1;
    }
    return 0;
}

/* mkdir -p: make `dir` and its missing parents; 0 if it exists afterwards. */
static int make_dirs(const char *dir)
{
    char path[4096];
    snprintf(path, sizeof path, "%s", dir);
    for (char *p = path + 1; ; p++) {
        if (*p != '/' && *p)
            continue;
        char c = *p;
        *p = 0;
        if (mkdir(path, 0777) != 0 && errno != EEXIST)
            return -1;
        if (!c)
            return 0;
        *p = c;
    }
}

int main(int argc, char **argv)
{
    const char *dir = ".";
    bool check_only = false, quiet = false;
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (!strcmp(argv[i], "-o") && i + 1 < argc) dir = argv[++i][0] ? argv[i] : ".";
        else if (!strcmp(argv[i], "-c")) check_only = true;
        else if (!strcmp(argv[i], "-q")) quiet = true;
        else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) { usage(stdout); return 0; }
        else {
            fprintf(stderr, "contractc: unknown option '%s'\n", argv[i]);
            usage(stderr);
            return 2;
        }
    }
    if (i == argc) { usage(stderr); return 2; }

    contract_set *set = contract_set_new();
    if (!set) { fprintf(stderr, "contractc: out of memory\n"); return 1; }
    contract_error err;
    int status = 0;
    for (; i < argc && !status; i++) {
        size_t len;
        char *src = read_file(argv[i], &len);
        if (!src) { status = 1; break; }
        if (contract_set_add(set, src, len, argv[i], &err)) {
            fprintf(stderr, "%s\n", err.text);
            status = 1;
        }
        free(src);
    }
    if (!status && contract_set_finish(set, &err)) {
        fprintf(stderr, "%s\n", err.text);
        status = 1;
    }
    if (!status && !check_only && make_dirs(dir)) {
        fprintf(stderr, "contractc: -o %s: cannot make the directory: %s\n", dir, strerror(errno));
        status = 1;
    }
    for (uint32_t k = 0; !status && !check_only && k < contract_set_count(set); k++) {
        const contract *c = contract_set_at(set, k);
        if (write_one(dir, c->name, ".h", emit_header, c) ||
            write_one(dir, c->name, ".table.c", emit_table, c) ||
            write_one(dir, c->name, ".md", emit_doc, c))
            status = 1;
    }
    if (!status && !quiet)
        fprintf(stderr, "contractc: %u contract%s OK%s\n", contract_set_count(set),
                contract_set_count(set) == 1 ? "" : "s", check_only ? "" : ", written");
    contract_set_free(set);
    return status;
}
