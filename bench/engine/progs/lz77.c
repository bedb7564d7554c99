/* bench: an LZ77 compressor (hash chains over a 64 KiB window, greedy matching) and its
 * decompressor, run on generated text-like data; the round trip is verified and the
 * compressed bytes checksummed. Size = 256 KiB blocks compressed. */
#include "bench_common.h"
#include <string.h>

enum { WINDOW = 1 << 16, HASH_BITS = 15, MIN_MATCH = 4, MAX_MATCH = 255 + MIN_MATCH,
       MAX_CHAIN = 32, BLOCK = 1 << 18 };

static int32_t head[1 << HASH_BITS];
static int32_t prev[BLOCK];

static uint32_t hash4(const uint8_t *p)
{
    uint32_t v = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
    return (v * 2654435761u) >> (32 - HASH_BITS);
}

/* Output format: a literal run is 0x00 len(1..255) bytes...; a match is
 * len-MIN_MATCH+1 (1..255) then a 16-bit little-endian distance. */
static size_t compress(const uint8_t *in, size_t n, uint8_t *out)
{
    size_t o = 0, lit_start = 0, i = 0;
    for (size_t k = 0; k < (1u << HASH_BITS); k++) head[k] = -1;
    while (i < n) {
        size_t best = 0, dist = 0;
        if (i + MIN_MATCH <= n) {
            uint32_t h = hash4(in + i);
            int32_t cand = head[h];
            for (int chain = 0; cand >= 0 && chain < MAX_CHAIN && i - (size_t)cand < WINDOW; chain++) {
                size_t len = 0, lim = n - i < MAX_MATCH ? n - i : MAX_MATCH;
                while (len < lim && in[cand + len] == in[i + len]) len++;
                if (len > best) { best = len; dist = i - (size_t)cand; }
                cand = prev[cand];
            }
            prev[i] = head[h];
            head[h] = (int32_t)i;
        }
        if (best >= MIN_MATCH) {
            while (lit_start < i) {
                size_t run = i - lit_start < 255 ? i - lit_start : 255;
                out[o++] = 0; out[o++] = (uint8_t)run;
                memcpy(out + o, in + lit_start, run);
                o += run; lit_start += run;
            }
            out[o++] = (uint8_t)(best - MIN_MATCH + 1);
            out[o++] = (uint8_t)dist; out[o++] = (uint8_t)(dist >> 8);
            for (size_t k = 1; k < best && i + k + MIN_MATCH <= n; k++) {
                uint32_t h = hash4(in + i + k);
                prev[i + k] = head[h];
                head[h] = (int32_t)(i + k);
            }
            i += best;
            lit_start = i;
        } else {
            i++;
        }
    }
    while (lit_start < n) {
        size_t run = n - lit_start < 255 ? n - lit_start : 255;
        out[o++] = 0; out[o++] = (uint8_t)run;
        memcpy(out + o, in + lit_start, run);
        o += run; lit_start += run;
    }
    return o;
}

static size_t decompress(const uint8_t *in, size_t n, uint8_t *out)
{
    size_t i = 0, o = 0;
    while (i < n) {
        uint8_t t = in[i++];
        if (t == 0) {
            size_t run = in[i++];
            memcpy(out + o, in + i, run);
            i += run; o += run;
        } else {
            size_t len = (size_t)t + MIN_MATCH - 1, dist = in[i] | (size_t)in[i + 1] << 8;
            i += 2;
            for (size_t k = 0; k < len; k++, o++) out[o] = out[o - dist];
        }
    }
    return o;
}

/* text-like input: words from a small vocabulary with occasional noise */
static void generate(uint8_t *p, size_t n)
{
    static const char *words[] = {"the ", "channel ", "message ", "sends ", "a ", "block ",
        "owner ", "moves ", "kernel ", "node ", "contract ", "state ", "of ", "and ",
        "receive ", "endpoint ", "\n", "SIP ", "heap ", "exchange "};
    size_t i = 0;
    while (i < n) {
        uint32_t r = bench_rand();
        if ((r & 31) == 0) { p[i++] = (uint8_t)(r >> 8); continue; }
        const char *w = words[(r >> 8) % 20];
        while (*w && i < n) p[i++] = (uint8_t)*w++;
    }
}

int main(int argc, char **argv)
{
    long blocks = bench_size(argc, argv, 12);
    uint8_t *in = malloc(BLOCK), *packed = malloc(BLOCK * 2), *back = malloc(BLOCK);
    if (!in || !packed || !back) { printf("lz77: out of memory\n"); return 1; }
    uint64_t sum = 0;
    for (long b = 0; b < blocks; b++) {
        generate(in, BLOCK);
        size_t clen = compress(in, BLOCK, packed);
        if (decompress(packed, clen, back) != BLOCK || memcmp(in, back, BLOCK)) {
            printf("lz77: round trip failed in block %ld\n", b);
            return 1;
        }
        sum = bench_mix(sum, clen);
        for (size_t k = 0; k < clen; k += 61) sum = bench_mix(sum, packed[k]);
    }
    bench_result("lz77", sum);
    free(in); free(packed); free(back);
    return 0;
}
