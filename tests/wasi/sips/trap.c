/* Test SIP: prints a line, then faults in the way argv[1] names: unreachable, div0, oob,
 * stack (unbounded recursion) or loop (never ends; for fuel). */
#include <stdio.h>
#include <string.h>

static volatile int zero = 0;

static int deep(int n)
{
    volatile char pad[64];
    if (n < 0) return 0;                     /* never: keeps the compiler from objecting */
    pad[n & 63] = (char)n;
    return deep(n + 1) + pad[(n + 1) & 63];
}

int main(int argc, char **argv)
{
    const char *how = argc > 1 ? argv[1] : "unreachable";
    printf("before %s\n", how);
    fflush(stdout);
    if (!strcmp(how, "div0")) return 10 / zero;
    if (!strcmp(how, "oob")) return *(volatile int *)(0xFFFFFFF0u - (unsigned)zero);
    if (!strcmp(how, "stack")) return deep(0);
    if (!strcmp(how, "loop")) { for (volatile unsigned i = 0;; i++) {} }
    __builtin_trap();
}
