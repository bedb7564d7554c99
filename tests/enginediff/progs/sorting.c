/* Differential program: qsort of ints, of records by two keys and of strings, and bsearch;
 * every key is distinct so the order does not depend on the sort's stability. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>

typedef struct { int key; short tag; char name[6]; } rec;

static int cmp_int(const void *x, const void *y)
{
    int a = *(const int *)x, b = *(const int *)y;
    return (a > b) - (a < b);
}
static int cmp_rec(const void *x, const void *y)
{
    const rec *a = x, *b = y;
    if (a->key != b->key)
        return a->key < b->key ? 1 : -1;
    return strcmp(a->name, b->name);
}
static int cmp_str(const void *x, const void *y)
{
    return strcmp(*(char *const *)x, *(char *const *)y);
}

int main(void)
{
    static int v[500];
    uint32_t s = 12345;
    for (int i = 0; i < 500; i++)
        v[i] = i * 7919 % 1009 - 500;
    qsort(v, 500, sizeof v[0], cmp_int);
    long long sum = 0;
    for (int i = 0; i < 500; i++)
        sum += (long long)v[i] * (i + 1);
    printf("ints %d %d %d %lld\n", v[0], v[250], v[499], sum);
    int want = v[123];
    int *hit = bsearch(&want, v, 500, sizeof v[0], cmp_int);
    printf("bsearch %td\n", hit ? hit - v : -1);

    static rec r[64];
    for (int i = 0; i < 64; i++) {
        s = s * 1103515245u + 12345u;
        r[i].key = (int)(s >> 28);
        r[i].tag = (short)i;
        snprintf(r[i].name, sizeof r[i].name, "n%02d", (i * 29) % 64);
    }
    qsort(r, 64, sizeof r[0], cmp_rec);
    for (int i = 0; i < 64; i += 4)
        printf("rec %d %d %s\n", r[i].key, r[i].tag, r[i].name);

    static char store[40][12];
    char *p[40];
    for (int i = 0; i < 40; i++) {
        snprintf(store[i], sizeof store[i], "w%x-%d", (i * 2654435761u) >> 20, i);
        p[i] = store[i];
    }
    qsort(p, 40, sizeof p[0], cmp_str);
    for (int i = 0; i < 40; i++)
        printf("%s%c", p[i], i % 8 == 7 ? '\n' : ' ');
    return 0;
}
