/* sys_arch.c: what lwIP needs from the system with NO_SYS=1: a millisecond clock, plus
 * the random numbers behind LWIP_RAND (TCP sequence numbers, DHCP transaction ids). */
#include <stdint.h>
#include "lwip/sys.h"
#include "node-kernel/metal/timer.h"
#include "node-kernel/metal/x86.h"

u32_t sys_now(void) { return (u32_t)(timer_ns() / 1000000u); }

uint32_t metal_random32(void)
{
    static uint64_t state;
    if (!state) state = rdtsc() | 1;
    state ^= rdtsc();
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return (uint32_t)(state >> 16);
}
