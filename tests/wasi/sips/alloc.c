/* Test SIP: malloc/realloc/free under churn; every block keeps its pattern. Prints
 * "alloc ok <checksum>" or "alloc BAD ..." and exits 1. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SLOTS 256

int main(void)
{
    unsigned char *blk[SLOTS] = {0};
    size_t len[SLOTS] = {0};
    uint32_t seed = 12345, sum = 0;
    for (int round = 0; round < 4000; round++) {
        seed = seed * 1103515245u + 12345u;
        int i = (seed >> 8) % SLOTS;
        if (blk[i]) {
            for (size_t k = 0; k < len[i]; k++)
                if (blk[i][k] != (unsigned char)(i + k)) {
                    printf("alloc BAD slot %d byte %zu\n", i, k);
                    return 1;
                }
            sum += (uint32_t)len[i];
            if (seed & 1) {
                free(blk[i]);
                blk[i] = NULL;
                continue;
            }
            size_t n = (seed >> 16) % 3000 + 1;
            unsigned char *p = realloc(blk[i], n);
            if (!p) { printf("alloc BAD realloc\n"); return 1; }
            for (size_t k = len[i]; k < n; k++) p[k] = (unsigned char)(i + k);
            blk[i] = p;
            len[i] = n;
        } else {
            size_t n = (seed >> 16) % 20000 + 1;
            blk[i] = malloc(n);
            if (!blk[i]) { printf("alloc BAD malloc %zu\n", n); return 1; }
            for (size_t k = 0; k < n; k++) blk[i][k] = (unsigned char)(i + k);
            len[i] = n;
        }
    }
    for (int i = 0; i < SLOTS; i++) free(blk[i]);
    char *big = calloc(1, 8 << 20);          /* forces memory.grow */
    if (!big || big[12345]) { printf("alloc BAD calloc\n"); return 1; }
    free(big);
    printf("alloc ok %u\n", sum);
    return 0;
}
