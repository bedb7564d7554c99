/* stdio.h: formatting into buffers, printf to the serial console, and read-only files:
 * fopen() opens a file embedded in the kernel image (node-kernel/metal/bundle.h), so
 * shared code that reads manifests, contracts and modules by path runs unchanged. */
#ifndef METAL_LIBC_STDIO_H
#define METAL_LIBC_STDIO_H
#include <stdarg.h>
#include <stddef.h>
typedef struct metal_file FILE;
int snprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
FILE  *fopen(const char *path, const char *mode);      /* read modes only */
extern FILE *const stderr;                              /* the serial console */
int fprintf(FILE *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
size_t fread(void *buf, size_t size, size_t n, FILE *f);
int    fclose(FILE *f);
#endif
