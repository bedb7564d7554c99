/* bench: sorting 32-bit keys with our own quicksort (median of three, insertion sort for
 * small ranges) and a bottom-up merge sort, so libc differences do not matter; both results
 * are checked sorted and folded into the checksum. Size = hundreds of thousands of keys. */
#include "bench_common.h"
#include <string.h>

static void insertion(uint32_t *a, long n)
{
    for (long i = 1; i < n; i++) {
        uint32_t v = a[i];
        long j = i - 1;
        while (j >= 0 && a[j] > v) { a[j + 1] = a[j]; j--; }
        a[j + 1] = v;
    }
}

static void quicksort(uint32_t *a, long n)
{
    while (n > 24) {
        uint32_t x = a[0], y = a[n / 2], z = a[n - 1];
        uint32_t pivot = x < y ? (y < z ? y : (x < z ? z : x)) : (x < z ? x : (y < z ? z : y));
        long i = 0, j = n - 1;
        for (;;) {
            while (a[i] < pivot) i++;
            while (a[j] > pivot) j--;
            if (i >= j) break;
            uint32_t t = a[i]; a[i] = a[j]; a[j] = t;
            i++; j--;
        }
        /* recurse into the smaller half, loop on the larger */
        if (j + 1 < n - j - 1) { quicksort(a, j + 1); a += j + 1; n -= j + 1; }
        else { quicksort(a + j + 1, n - j - 1); n = j + 1; }
    }
    insertion(a, n);
}

static void mergesort(uint32_t *a, uint32_t *tmp, long n)
{
    for (long w = 1; w < n; w *= 2) {
        for (long lo = 0; lo < n; lo += 2 * w) {
            long mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
            long i = lo, j = mid, k = lo;
            while (i < mid && j < hi) tmp[k++] = a[i] <= a[j] ? a[i++] : a[j++];
            while (i < mid) tmp[k++] = a[i++];
            while (j < hi) tmp[k++] = a[j++];
        }
        memcpy(a, tmp, (size_t)n * sizeof *a);
    }
}

static uint64_t check(const uint32_t *a, long n)
{
    uint64_t sum = 0;
    for (long i = 0; i < n; i++) {
        if (i && a[i - 1] > a[i]) { printf("sort: not sorted at %ld\n", i); exit(1); }
        if ((i & 1023) == 0) sum = bench_mix(sum, a[i]);
    }
    return sum;
}

int main(int argc, char **argv)
{
    long n = bench_size(argc, argv, 10) * 100000;
    uint32_t *a = malloc((size_t)n * sizeof *a), *b = malloc((size_t)n * sizeof *b);
    uint32_t *tmp = malloc((size_t)n * sizeof *tmp);
    if (!a || !b || !tmp) { printf("sort: out of memory\n"); return 1; }
    for (long i = 0; i < n; i++) a[i] = b[i] = bench_rand() % (uint32_t)(n * 4);
    quicksort(a, n);
    mergesort(b, tmp, n);
    if (memcmp(a, b, (size_t)n * sizeof *a)) { printf("sort: results differ\n"); return 1; }
    bench_result("sort", check(a, n));
    free(a); free(b); free(tmp);
    return 0;
}
