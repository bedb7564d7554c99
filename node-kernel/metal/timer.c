/* timer.c: calibrates the TSC against PIT channel 2 (a fixed 1.193182 MHz clock, timed
 * by polling, no interrupts needed), then programs the local APIC timer (or PIT channel 0
 * without one) to interrupt at TIMER_HZ so an idle kernel can `hlt` and still wake up to poll its network. */
#include "node-kernel/metal/timer.h"
#include "node-kernel/metal/idt.h"
#include "node-kernel/metal/lapic.h"
#include "node-kernel/metal/x86.h"

#define PIT_HZ 1193182u

static uint64_t tsc_hz, tsc_base, ns_mult;   /* ns = (delta * ns_mult) >> 32 */
static volatile uint64_t ticks;

static uint64_t calibrate_once(void)
{
    const unsigned count = PIT_HZ / 100;        /* 10 ms */
    outb(0x61, (inb(0x61) & ~0x02) | 0x01);     /* gate channel 2 on, speaker off */
    outb(0x43, 0xB0);                           /* channel 2, lo/hi, mode 0 */
    outb(0x42, count & 0xFF);
    outb(0x42, count >> 8);
    uint64_t start = rdtsc();
    while (!(inb(0x61) & 0x20)) cpu_pause();    /* OUT2 goes high at terminal count */
    return (rdtsc() - start) * 100;
}

static void on_tick(void) { ticks++; }

void timer_init(void)
{
    uint64_t best = 0;
    for (int i = 0; i < 3; i++) {               /* keep the smallest: least disturbed */
        uint64_t hz = calibrate_once();
        if (!best || hz < best) best = hz;
    }
    tsc_hz = best ? best : 1000000000ull;
    ns_mult = (uint64_t)(((unsigned __int128)1000000000ull << 32) / tsc_hz);
    tsc_base = rdtsc();

    if (lapic_init() == 0) {
        lapic_timer_register(on_tick);
        lapic_timer_start(TIMER_HZ, tsc_hz);
        return;
    }
    unsigned div = PIT_HZ / TIMER_HZ;           /* no local APIC: PIT channel 0 */
    outb(0x43, 0x34);                           /* channel 0, lo/hi, rate generator */
    outb(0x40, div & 0xFF);
    outb(0x40, div >> 8);
    irq_register(0, on_tick);
}

uint64_t timer_tsc_to_ns(uint64_t d) { return (uint64_t)(((unsigned __int128)d * ns_mult) >> 32); }
uint64_t timer_ns(void)    { return timer_tsc_to_ns(rdtsc() - tsc_base); }
uint64_t timer_tsc_hz(void) { return tsc_hz; }
uint64_t timer_ticks(void) { return ticks; }

void timer_sleep_ms(unsigned ms)
{
    uint64_t end = timer_ns() + (uint64_t)ms * 1000000u;
    while (timer_ns() < end) cpu_hlt();
}
