/* Differential program: bit tricks and loops with shifted indices: rotates, byte swaps,
 * population counts, table lookups a[(i << k) + j], base + (i << k) addressing in both
 * loads and stores, and stores whose address is a pointer plus a call's result. */
#include <stdio.h>
#include <stdint.h>
#include <string.h>

static uint32_t rotl(uint32_t x, int k) { return (x << k) | (x >> (32 - k)); }
static uint32_t bswap(uint32_t x)
{
    return (x >> 24) | ((x >> 8) & 0xff00) | ((x << 8) & 0xff0000) | (x << 24);
}
static int popcount(uint32_t x)
{
    int n = 0;
    for (; x; x &= x - 1)
        n++;
    return n;
}
static uint32_t haszero(uint32_t v) { return (v - 0x01010101u) & ~v & 0x80808080u; }

__attribute__((noinline)) static int pick(int i) { return (i * 5) & 15; }

int main(void)
{
    uint32_t x = 0x9e3779b9u, acc = 0;
    for (int i = 0; i < 200; i++) {
        x = rotl(x, i % 31 + 1) ^ bswap(x + (uint32_t)i);
        acc += x ^ (x >> 13) ^ (uint32_t)popcount(x) ^ haszero(x);
    }
    printf("mix %08x %08x\n", x, acc);

    static uint32_t table[16][8];
    for (int i = 0; i < 16; i++)
        for (int j = 0; j < 8; j++)
            table[i][j] = (uint32_t)(i << 4 | j) * 2654435761u;
    uint32_t t = 0;
    uint32_t *flat = &table[0][0];
    for (int i = 0; i < 16; i++)
        for (int j = 0; j < 8; j++)
            t += flat[(i << 3) + j] ^ (flat[(j << 3) + (i & 7)] >> 3);
    printf("table %08x\n", t);

    static uint16_t h[64];
    static uint8_t bytes[256];
    for (int i = 0; i < 64; i++)
        h[i] = (uint16_t)(i * 977);
    for (int i = 0; i < 64; i++) {
        bytes[(i << 2) + 0] = (uint8_t)h[i];
        bytes[(i << 2) + 1] = (uint8_t)(h[i] >> 8);
        bytes[(i << 2) + 3] = (uint8_t)(i ^ 0x5a);
    }
    uint64_t w = 0;
    for (int i = 0; i < 32; i++) {
        uint64_t q;
        memcpy(&q, bytes + (i << 3), 8);
        w = (w << 7 | w >> 57) ^ q;
    }
    printf("bytes %016llx\n", (unsigned long long)w);

    /* p + f(i) then a constant stored there (the store address's addends must survive) */
    char out[80];
    memset(out, '.', sizeof out);
    out[79] = 0;
    for (int i = 0; i < 20; i++) {
        char *p = out + 4 * (i & 3);
        *(uint16_t *)(p + pick(i)) = 0x2058;          /* "X " */
        *(p + pick(i + 1) + 40) = 'y';
    }
    printf("%s\n", out);

    int64_t s64 = -1;
    for (int k = 0; k < 70; k += 7)
        printf("%d:%llx:%llx ", k, (unsigned long long)(s64 << (k & 63)),
               (unsigned long long)((uint64_t)s64 >> (k & 63)));
    printf("\nclz %d ctz %d\n", __builtin_clz(0x00f00000u), __builtin_ctz(0x00f00000u));
    return 0;
}
