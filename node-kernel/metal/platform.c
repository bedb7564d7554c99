/* platform.c: the metal side of the interfaces shared code expects: the engine's
 * rt_malloc family (sips/engine/rt.h, also used by netchan/zmtp) and the node kernel
 * core's platform functions (node-kernel/core/platform.h). */
#include <string.h>
#include "sips/engine/rt.h"
#include "node-kernel/core/platform.h"
#include "node-kernel/metal/heap.h"
#include "node-kernel/metal/timer.h"
#include "node-kernel/metal/wallclock.h"
#include "node-kernel/metal/serial.h"
#include "node-kernel/metal/x86.h"

uint32_t metal_random32(void);

void *rt_malloc(size_t n) { return heap_alloc(n); }
void *rt_realloc(void *p, size_t n) { return heap_realloc(p, n); }
void  rt_free(void *p) { heap_free(p); }

void *plat_alloc(size_t n) { return heap_alloc(n); }
void *plat_realloc(void *p, size_t n) { return heap_realloc(p, n); }
void  plat_free(void *p) { heap_free(p); }

uint64_t plat_time_ns(int clock_id) { return clock_id ? timer_ns() : wallclock_ns(); }

void plat_random(void *buf, size_t n)
{
    uint8_t *p = buf;
    while (n) {
        uint32_t r = metal_random32();
        size_t k = n < 4 ? n : 4;
        memcpy(p, &r, k);
        p += k;
        n -= k;
    }
}

void plat_console_write(const char *s, size_t n) { serial_write(s, n); }
