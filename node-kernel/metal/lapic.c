/* lapic.c: enables the local APIC (xAPIC MMIO mode, identity-mapped, uncached) and
 * runs its timer periodically. The timer's input clock is measured against the
 * already calibrated TSC. The legacy PIC stays masked: under nested KVM, PIC-delivered
 * interrupts were seen to slow every later memory write by orders of magnitude. */
#include "node-kernel/metal/lapic.h"
#include "node-kernel/metal/x86.h"

#define APIC_BASE_MSR 0x1B
#define REG_EOI       0x0B0
#define REG_SVR       0x0F0
#define REG_LVT_TIMER 0x320
#define REG_TIMER_INIT 0x380
#define REG_TIMER_CUR  0x390
#define REG_TIMER_DIV  0x3E0

static volatile uint32_t *lapic;

static uint32_t rd(unsigned reg) { return lapic[reg / 4]; }
static void wr(unsigned reg, uint32_t v) { lapic[reg / 4] = v; }

int lapic_init(void)
{
    uint32_t a, b, c, d;
    __asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(1), "c"(0));
    if (!(d & (1u << 9))) return -1;
    uint64_t base = rdmsr(APIC_BASE_MSR);
    wrmsr(APIC_BASE_MSR, base | (1u << 11));
    lapic = (volatile uint32_t *)(uintptr_t)(base & 0xFFFFF000u);
    wr(REG_SVR, 0x100 | LAPIC_SPURIOUS_VECTOR);
    return 0;
}

void lapic_timer_start(unsigned hz, uint64_t tsc_hz)
{
    wr(REG_TIMER_DIV, 0x3);                         /* divide by 16 */
    wr(REG_LVT_TIMER, 1u << 16);                    /* masked, one-shot: measure */
    wr(REG_TIMER_INIT, 0xFFFFFFFFu);
    uint64_t start = rdtsc(), wait = tsc_hz / 100;  /* 10 ms */
    while (rdtsc() - start < wait) cpu_pause();
    uint32_t elapsed = 0xFFFFFFFFu - rd(REG_TIMER_CUR);
    uint32_t per_tick = (uint32_t)((uint64_t)elapsed * 100 / hz);
    if (!per_tick) per_tick = 1;
    wr(REG_LVT_TIMER, LAPIC_TIMER_VECTOR | (1u << 17)); /* periodic */
    wr(REG_TIMER_INIT, per_tick);
}

void lapic_eoi(void) { if (lapic) wr(REG_EOI, 0); }
