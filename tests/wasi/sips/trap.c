/* Test SIP: prints a line, then faults in the way argv[1] names: unreachable, div0, oob,
 * stack (unbounded recursion: call stack exhausted) or loop (never ends; for fuel). */
#include <stdio.h>
#include <string.h>

static volatile int zero = 0;

/* Recursion through a volatile function pointer: the compiler can neither turn it into a
 * loop nor give it a frame on the shadow stack in linear memory, so only the engine's call
 * stack grows until it is exhausted. */
static int deep(int n);
static int (*volatile next)(int) = deep;

static int deep(int n)
{
    return next(n + 1) ^ n;
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
