/* libc.c: the few C library functions the kernel, lwIP, protobuf-c and the SIP engine
 * call: memory and string routines, malloc over the kernel heap, number parsing,
 * printf to the console, and the hooks prebuilt code expects (__assert_fail,
 * __stack_chk_fail). */
#include <stdint.h>
#include <string.h>
#include <stdlib.h>
#include <stdio.h>
#include <assert.h>
#include <errno.h>
#include <time.h>
#include <unistd.h>
#include "node-kernel/core/platform.h"
#include "node-kernel/metal/heap.h"
#include "node-kernel/metal/kprintf.h"
#include "node-kernel/metal/panic.h"

void *memcpy(void *d, const void *s, size_t n)
{
    void *ret = d;
    __asm__ volatile("rep movsb" : "+D"(d), "+S"(s), "+c"(n) :: "memory");
    return ret;
}

void *memmove(void *d, const void *s, size_t n)
{
    unsigned char *dp = d;
    const unsigned char *sp = s;
    if (dp <= sp || dp >= sp + n) return memcpy(d, s, n);
    while (n--) dp[n] = sp[n];
    return d;
}

void *memset(void *d, int c, size_t n)
{
    void *ret = d;
    __asm__ volatile("rep stosb" : "+D"(d), "+c"(n) : "a"(c) : "memory");
    return ret;
}

int memcmp(const void *a, const void *b, size_t n)
{
    const unsigned char *x = a, *y = b;
    for (size_t i = 0; i < n; i++)
        if (x[i] != y[i]) return x[i] - y[i];
    return 0;
}

void *memchr(const void *s, int c, size_t n)
{
    const unsigned char *p = s;
    for (size_t i = 0; i < n; i++)
        if (p[i] == (unsigned char)c) return (void *)(p + i);
    return NULL;
}

size_t strlen(const char *s) { size_t n = 0; while (s[n]) n++; return n; }
size_t strnlen(const char *s, size_t m) { size_t n = 0; while (n < m && s[n]) n++; return n; }

int strcmp(const char *a, const char *b)
{
    while (*a && *a == *b) a++, b++;
    return (unsigned char)*a - (unsigned char)*b;
}

int strncmp(const char *a, const char *b, size_t n)
{
    for (; n; n--, a++, b++) {
        if (*a != *b) return (unsigned char)*a - (unsigned char)*b;
        if (!*a) break;
    }
    return 0;
}

char *strchr(const char *s, int c)
{
    for (;; s++) {
        if (*s == (char)c) return (char *)s;
        if (!*s) return NULL;
    }
}

char *strrchr(const char *s, int c)
{
    const char *last = NULL;
    for (;; s++) {
        if (*s == (char)c) last = s;
        if (!*s) return (char *)last;
    }
}

char *strstr(const char *h, const char *n)
{
    size_t len = strlen(n);
    for (; *h; h++)
        if (!strncmp(h, n, len)) return (char *)h;
    return len ? NULL : (char *)h;
}

char *strncpy(char *d, const char *s, size_t n)
{
    size_t i = 0;
    for (; i < n && s[i]; i++) d[i] = s[i];
    for (; i < n; i++) d[i] = 0;
    return d;
}

char *strcpy(char *d, const char *s) { return memcpy(d, s, strlen(s) + 1); }

void *malloc(size_t n) { return heap_alloc(n); }
void *realloc(void *p, size_t n) { return heap_realloc(p, n); }
void  free(void *p) { heap_free(p); }

void *calloc(size_t n, size_t m)
{
    if (m && n > SIZE_MAX / m) return NULL;
    void *p = heap_alloc(n * m);
    if (p) memset(p, 0, n * m);
    return p;
}

unsigned long strtoul(const char *s, char **end, int base)
{
    while (*s == ' ' || *s == '\t') s++;
    if ((base == 0 || base == 16) && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) { s += 2; base = 16; }
    if (base == 0) base = 10;
    unsigned long v = 0;
    for (;; s++) {
        int d = *s >= '0' && *s <= '9' ? *s - '0' : *s >= 'a' && *s <= 'z' ? *s - 'a' + 10 :
                *s >= 'A' && *s <= 'Z' ? *s - 'A' + 10 : 99;
        if (d >= base) break;
        v = v * (unsigned long)base + (unsigned long)d;
    }
    if (end) *end = (char *)s;
    return v;
}

long strtol(const char *s, char **end, int base)
{
    while (*s == ' ' || *s == '\t') s++;
    int neg = *s == '-';
    if (*s == '-' || *s == '+') s++;
    unsigned long v = strtoul(s, end, base);
    return neg ? -(long)v : (long)v;
}

int atoi(const char *s) { return (int)strtol(s, NULL, 10); }

void abort(void) { panic("abort() called"); }

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap) { return kvsnprintf(buf, size, fmt, ap); }

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = kvsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}

int printf(const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    int n = kvsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    kprintf("%s", buf);
    return n;
}

void __assert_fail(const char *expr, const char *file, unsigned line, const char *func)
{
    panic("assertion \"%s\" failed in %s at %s:%u", expr, func, file, line);
}

void __stack_chk_fail(void) { panic("stack smashing detected"); }

int errno;

unsigned long long strtoull(const char *s, char **end, int base)
{
    return strtoul(s, end, base);       /* unsigned long is 64 bits here */
}

char *strdup(const char *s) { return strndup(s, strlen(s)); }

char *strndup(const char *s, size_t n)
{
    n = strnlen(s, n);
    char *d = malloc(n + 1);
    if (!d) return NULL;
    memcpy(d, s, n);
    d[n] = 0;
    return d;
}

char *strtok(char *s, const char *delim)
{
    static char *next;
    if (!s) s = next;
    if (!s) return NULL;
    while (*s && strchr(delim, *s)) s++;
    if (!*s) { next = NULL; return NULL; }
    char *tok = s;
    while (*s && !strchr(delim, *s)) s++;
    if (*s) *s++ = 0;
    next = s;
    return tok;
}

char *strerror(int err)
{
    switch (err) {
    case ENOENT: return "No such file or directory (not in the kernel image)";
    case ENOMEM: return "Out of memory";
    case EINVAL: return "Invalid argument";
    case ERANGE: return "Numerical result out of range";
    default:     return "Unknown error";
    }
}

pid_t getpid(void) { return 1; }

int clock_gettime(int clock_id, struct timespec *ts)
{
    uint64_t ns = plat_time_ns(clock_id == CLOCK_MONOTONIC);
    ts->tv_sec = (time_t)(ns / 1000000000u);
    ts->tv_nsec = (long)(ns % 1000000000u);
    return 0;
}
