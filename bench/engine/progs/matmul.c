/* bench: dense double-precision matrix multiply (i-k-j loop order), repeated with the
 * result fed back in; the checksum is the bit pattern of sampled entries. Size = matrix
 * dimension. */
#include "bench_common.h"
#include <string.h>

int main(int argc, char **argv)
{
    long n = bench_size(argc, argv, 360);
    double *a = malloc((size_t)(n * n) * sizeof *a), *b = malloc((size_t)(n * n) * sizeof *b);
    double *c = malloc((size_t)(n * n) * sizeof *c);
    if (!a || !b || !c) { printf("matmul: out of memory\n"); return 1; }
    for (long i = 0; i < n * n; i++) {
        a[i] = (double)(bench_rand() % 2000) / 1000.0 - 1.0;
        b[i] = (double)(bench_rand() % 2000) / 1000.0 - 1.0;
    }
    uint64_t sum = 0;
    for (int rep = 0; rep < 3; rep++) {
        memset(c, 0, (size_t)(n * n) * sizeof *c);
        for (long i = 0; i < n; i++)
            for (long k = 0; k < n; k++) {
                double aik = a[i * n + k];
                for (long j = 0; j < n; j++) c[i * n + j] += aik * b[k * n + j];
            }
        /* scale back into [-1, 1] and use the product as the next left operand */
        double mx = 0;
        for (long i = 0; i < n * n; i++) mx = c[i] > mx ? c[i] : (-c[i] > mx ? -c[i] : mx);
        for (long i = 0; i < n * n; i++) a[i] = c[i] / mx;
        for (long i = 0; i < n * n; i += 97) {
            uint64_t u;
            memcpy(&u, &c[i], sizeof u);
            sum = bench_mix(sum, u);
        }
    }
    bench_result("matmul", sum);
    free(a); free(b); free(c);
    return 0;
}
