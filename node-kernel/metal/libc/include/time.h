/* time.h: clock_gettime over the kernel's clocks (monotonic: the TSC; realtime: the
 * wall clock of wallclock.c). */
#ifndef METAL_LIBC_TIME_H
#define METAL_LIBC_TIME_H
#include <stdint.h>
typedef long time_t;
struct timespec { time_t tv_sec; long tv_nsec; };
#define CLOCK_REALTIME  0
#define CLOCK_MONOTONIC 1
int clock_gettime(int clock_id, struct timespec *ts);
#endif
