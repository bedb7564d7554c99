/* The one interface between the platform-neutral node kernel core and the platform it runs
 * on: hosted (node-kernel/hosted, a Linux process) or metal (node-kernel/metal, x86_64).
 * Everything the core needs from the outside world passes through these functions; the
 * core contains no #ifdef for platforms. Extend it only with what a platform must supply. */
#ifndef NODE_KERNEL_CORE_PLATFORM_H
#define NODE_KERNEL_CORE_PLATFORM_H

#include <stddef.h>
#include <stdint.h>

/* memory: the core's allocator (the engine's rt_malloc family maps to the same heap) */
void *plat_alloc(size_t n);
void *plat_realloc(void *p, size_t n);
void  plat_free(void *p);

/* time: WASI clock ids 0 = realtime (ns since the epoch), 1 = monotonic (ns) */
uint64_t plat_time_ns(int clock_id);

/* entropy for random_get; must not fail */
void plat_random(void *buf, size_t n);

/* the node's console (hosted: stderr; metal: serial) */
void plat_console_write(const char *s, size_t n);

#endif
