/* The engine allocator for hosted programs (sipnode, tests, tools): plain libc malloc.
 * Not part of libengine.a; the bare-metal kernel supplies its own rt_malloc family. */
#include <stdlib.h>
#include "sips/engine/rt.h"

void *rt_malloc(size_t n)
{
    return malloc(n ? n : 1);
}

void *rt_realloc(void *p, size_t n)
{
    return realloc(p, n ? n : 1);
}

void rt_free(void *p)
{
    free(p);
}
