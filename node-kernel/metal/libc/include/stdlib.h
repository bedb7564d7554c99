/* stdlib.h: allocation and number parsing, backed by the kernel heap (libc.c). */
#ifndef METAL_LIBC_STDLIB_H
#define METAL_LIBC_STDLIB_H
#include <stddef.h>
void *malloc(size_t n);
void *calloc(size_t n, size_t m);
void *realloc(void *p, size_t n);
void  free(void *p);
int   atoi(const char *s);
long  strtol(const char *s, char **end, int base);
unsigned long strtoul(const char *s, char **end, int base);
unsigned long long strtoull(const char *s, char **end, int base);
void  abort(void) __attribute__((noreturn));
#endif
