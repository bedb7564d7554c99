/* hello_metal.c: the SIP the metal kernel embeds and runs with the option sip=hello, to
 * show the engine working on bare metal: integer and floating-point work, the WASI
 * clock, argv, and an exit code. */
#include <math.h>
#include <stdio.h>
#include <time.h>

static unsigned fib(unsigned n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

int main(int argc, char **argv)
{
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    unsigned f = fib(20);
    double r = sqrt(2.0) * 1000000.0;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    long us = (long)(t1.tv_sec - t0.tv_sec) * 1000000 + (t1.tv_nsec - t0.tv_nsec) / 1000;
    printf("hello from SIP %s: fib(20)=%u sqrt(2)*1e6=%.0f clock advanced %s\n",
           argc > 0 ? argv[0] : "?", f, r, us >= 0 ? "yes" : "no");
    return 7;
}
