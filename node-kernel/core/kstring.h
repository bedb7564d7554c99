/* String helpers for the core. The core is freestanding and may rely only on the
 * memcpy/memset/memcmp/memmove that every platform provides, so it measures and compares
 * names itself. */
#ifndef NODE_KERNEL_CORE_KSTRING_H
#define NODE_KERNEL_CORE_KSTRING_H

#include <stdbool.h>
#include <stddef.h>

static inline size_t k_strlen(const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    return n;
}

/* Is the NUL-terminated string s equal to the len bytes at p? */
static inline bool k_name_is(const char *s, const char *p, size_t len)
{
    size_t i = 0;
    for (; i < len; i++)
        if (s[i] != p[i] || !s[i])
            return false;
    return s[len] == 0;
}

static inline bool k_streq(const char *a, const char *b)
{
    while (*a && *a == *b)
        a++, b++;
    return *a == *b;
}

#endif
