/* Differential program: memcpy, memmove (both directions, overlapping), memset and memcmp
 * on odd offsets and lengths, checked by printing a hash of the buffer after each step. */
#include <stdio.h>
#include <string.h>
#include <stdint.h>

static uint32_t hash(const unsigned char *p, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 16777619u;
    return h;
}

static unsigned char a[1024], b[1024];

int main(void)
{
    for (int i = 0; i < 1024; i++)
        a[i] = (unsigned char)(i * 37 + (i >> 3));
    static const size_t lens[] = { 0, 1, 2, 3, 5, 7, 8, 13, 16, 31, 33, 64, 127, 200 };
    for (int so = 0; so < 5; so++)
        for (int doff = 0; doff < 5; doff++)
            for (unsigned li = 0; li < sizeof lens / sizeof lens[0]; li++) {
                memset(b, 0xAA, sizeof b);
                memcpy(b + doff, a + so + 100, lens[li]);
                printf("cpy %d %d %zu %08x %d\n", so, doff, lens[li], hash(b, 300),
                       memcmp(b + doff, a + so + 100, lens[li]));
            }
    for (int shift = -9; shift <= 9; shift += 3) {
        memcpy(b, a, sizeof b);
        memmove(b + 200 + shift, b + 200, 301);
        printf("move %d %08x\n", shift, hash(b, sizeof b));
    }
    for (int off = 0; off < 9; off++) {
        memset(b, 0, sizeof b);
        memset(b + off, off * 11 + 1, 3 + off * 5);
        printf("set %d %08x %d\n", off, hash(b, 64), memcmp(b, a, 1) < 0);
    }
    return 0;
}
