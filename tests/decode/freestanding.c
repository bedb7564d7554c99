/* The freestanding check: libengine.a may need from its environment only the rt_malloc
 * family and the four memory builtins compilers emit (see sips/engine/rt.h). Reads
 * `nm -g` of the archive; symbols one member needs and another defines are fine.
 * _GLOBAL_OFFSET_TABLE_ is synthesized by the linker, not provided by a library. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include "tests/decode/decode_test.h"

#define ENGINE_LIB "build/lib/libengine.a"

static const char *const allowed[] = {
    "rt_malloc", "rt_realloc", "rt_free", "memcpy", "memmove", "memset", "memcmp",
    "_GLOBAL_OFFSET_TABLE_",
};

typedef struct { char **v; size_t n; } strlist;

static void add(strlist *l, const char *s)
{
    l->v = realloc(l->v, (l->n + 1) * sizeof *l->v);
    l->v[l->n++] = strdup(s);
}

static bool has(const strlist *l, const char *s)
{
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->v[i], s) == 0)
            return true;
    return false;
}

static void clear(strlist *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
}

static void test_only_rt_symbols_undefined(void)
{
    FILE *f = fopen(ENGINE_LIB, "rb");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fclose(f);
    FILE *p = popen("nm -g " ENGINE_LIB " 2>/dev/null", "r");
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    strlist undef = { 0 }, defined = { 0 };
    char line[512];
    while (fgets(line, sizeof line, p)) {
        char a[256], b[256], c[256];
        int k = sscanf(line, "%255s %255s %255s", a, b, c);
        if (k == 2 && strcmp(a, "U") == 0 && !has(&undef, b))
            add(&undef, b);
        else if (k == 3 && strchr("TDBRVWCGSi", b[0]))
            add(&defined, c);
    }
    CU_ASSERT_EQUAL(pclose(p), 0);
    unsigned bad = 0;
    for (size_t i = 0; i < undef.n; i++) {
        const char *s = undef.v[i];
        bool ok = has(&defined, s);
        for (size_t k = 0; !ok && k < sizeof allowed / sizeof allowed[0]; k++)
            ok = strcmp(s, allowed[k]) == 0;
        if (!ok) {
            fprintf(stderr, "\n  libengine.a needs %s from outside the engine", s);
            bad++;
        }
    }
    CU_ASSERT_EQUAL(bad, 0);
    CU_ASSERT_TRUE(defined.n > 0);
    clear(&undef);
    clear(&defined);
}

void register_freestanding_tests(void)
{
    CU_pSuite s = CU_add_suite("freestanding", NULL, NULL);
    CU_add_test(s, "libengine.a needs only rt.h symbols", test_only_rt_symbols_undefined);
}
