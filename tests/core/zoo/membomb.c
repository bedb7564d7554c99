/* Hostile SIP: grabs linear memory (1 MiB at a time, touching every page) until the node
 * refuses. Depending on the engine this ends in malloc() failing or in a "memory limit"
 * trap; either way only this SIP is affected and it never exceeds its memory quota. */
#include <stdio.h>
#include <stdlib.h>

int main(void)
{
    unsigned mib = 0;
    for (;;) {
        volatile char *p = malloc(1 << 20);
        if (!p)
            break;
        for (unsigned i = 0; i < (1u << 20); i += 4096)
            p[i] = 1;
        mib++;
    }
    printf("membomb: malloc refused after %u MiB\n", mib);
    return 0;
}
