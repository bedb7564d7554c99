/* arch/cc.h: lwIP's compiler and platform port for the metal kernel: types come from
 * the compiler's stdint.h, diagnostics go to the serial console, assertions panic,
 * randomness comes from the TSC mixed by a xorshift generator. */
#ifndef METAL_LWIP_ARCH_CC_H
#define METAL_LWIP_ARCH_CC_H

#include <stdint.h>
#include <inttypes.h>

#define LWIP_NO_CTYPE_H      1
#define LWIP_PROVIDE_ERRNO   1
#define BYTE_ORDER           LITTLE_ENDIAN

int kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void panic(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
uint32_t metal_random32(void);

#define LWIP_PLATFORM_DIAG(x)   do { kprintf x; } while (0)
#define LWIP_PLATFORM_ASSERT(x) panic("lwIP assertion \"%s\" failed at %s:%d", x, __FILE__, __LINE__)
#define LWIP_RAND()             metal_random32()

#endif
