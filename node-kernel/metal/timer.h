/* timer.h: the PIT tick interrupt and a monotonic nanosecond clock from the TSC. */
#ifndef METAL_TIMER_H
#define METAL_TIMER_H
#include <stdint.h>
#define TIMER_HZ 1000
void timer_init(void);
uint64_t timer_ns(void);            /* ns since timer_init */
uint64_t timer_tsc_to_ns(uint64_t tsc_delta);
uint64_t timer_tsc_hz(void);
uint64_t timer_ticks(void);
void timer_sleep_ms(unsigned ms);
#endif
