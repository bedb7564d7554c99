/* lapic.h: the local APIC, used for the periodic timer interrupt. */
#ifndef METAL_LAPIC_H
#define METAL_LAPIC_H
#include <stdint.h>
#define LAPIC_TIMER_VECTOR 48
#define LAPIC_SPURIOUS_VECTOR 63
int  lapic_init(void);                          /* 0 if present and enabled */
void lapic_timer_start(unsigned hz, uint64_t tsc_hz);
void lapic_eoi(void);
#endif
