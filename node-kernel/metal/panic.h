/* panic.h: stop the kernel with a clear "PANIC" line on the console. */
#ifndef METAL_PANIC_H
#define METAL_PANIC_H
void panic(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
void panic_halt(void) __attribute__((noreturn));
#endif
