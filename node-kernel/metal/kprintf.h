/* kprintf.h: formatted output for the kernel: to the serial console (kprintf) and
 * into buffers (ksnprintf, also exported as the libc names snprintf/vsnprintf). */
#ifndef METAL_KPRINTF_H
#define METAL_KPRINTF_H
#include <stdarg.h>
#include <stddef.h>

int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int ksnprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
#endif
