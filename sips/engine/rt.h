/* The engine's whole view of its environment: fixed-width types, memory and string
 * builtins, and an allocator supplied by the platform. The engine includes nothing else,
 * so it links unchanged into the hosted node and the bare-metal kernel.
 * The platform provides rt_malloc/rt_realloc/rt_free (hosted: sips/engine/rt_hosted.c
 * wraps libc; metal: the kernel heap) and memcpy/memmove/memset/memcmp, which compilers
 * may emit calls to even in freestanding code. */
#ifndef SIPS_ENGINE_RT_H
#define SIPS_ENGINE_RT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

void *rt_malloc(size_t n);
void *rt_realloc(void *p, size_t n);
void  rt_free(void *p);

static inline void *rt_calloc(size_t n)
{
    void *p = rt_malloc(n);
    if (p) __builtin_memset(p, 0, n);
    return p;
}

#define rt_memcpy(d, s, n)  __builtin_memcpy((d), (s), (n))
#define rt_memmove(d, s, n) __builtin_memmove((d), (s), (n))
#define rt_memset(d, c, n)  __builtin_memset((d), (c), (n))
#define rt_memcmp(a, b, n)  __builtin_memcmp((a), (b), (n))

static inline size_t rt_strlen(const char *s)
{
    size_t n = 0;
    while (s[n]) n++;
    return n;
}

/* Bounded formatting into a buffer (%s %d %u %x %llu %lld %llx %c %%); always terminates. */
int rt_snprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
