/* Differential program: printf/snprintf formatting of integers, widths, precisions,
 * characters, strings and doubles (%f %e %g), which runs libc's digit loops. */
#include <stdio.h>
#include <stdint.h>
#include <string.h>

int main(void)
{
    static const int ints[] = { 0, 1, -1, 7, 42, -12345, 65535, 2147483647, -2147483647 - 1 };
    for (unsigned i = 0; i < sizeof ints / sizeof ints[0]; i++)
        printf("[%d] [%5d] [%-6d|] [%+d] [%08x] [%X] [%o] [%u]\n", ints[i], ints[i], ints[i],
               ints[i], (unsigned)ints[i], (unsigned)ints[i], (unsigned)ints[i], (unsigned)ints[i]);
    static const long long ll[] = { 0, 1234567890123LL, -9876543210LL, INT64_MAX };
    for (unsigned i = 0; i < 4; i++)
        printf("%lld %llx %20lld|\n", ll[i], (unsigned long long)ll[i], ll[i]);
    static const double d[] = { 0.0, 1.0, -2.5, 3.14159265358979, 1e-7, 6.02214076e23,
                                123456.789, 1.0 / 3.0, -0.0 };
    for (unsigned i = 0; i < sizeof d / sizeof d[0]; i++)
        printf("%f %.3e %g %10.4f %-12.2g|\n", d[i], d[i], d[i], d[i], d[i]);
    char buf[64];
    for (int w = 0; w < 12; w++) {
        int n = snprintf(buf, (size_t)w, "%s-%c-%03d", "abc", 'z', w);
        printf("snprintf %d %d '%s'\n", w, n, w ? buf : "");
    }
    char big[300];
    int pos = 0;
    for (int i = 0; i < 40; i++)
        pos += sprintf(big + pos, "%d,", i * i - 17);
    printf("%d %zu %s\n", pos, strlen(big), big);
    return 0;
}
