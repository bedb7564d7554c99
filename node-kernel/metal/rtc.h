/* rtc.h: wall-clock time at boot from the CMOS real-time clock. */
#ifndef METAL_RTC_H
#define METAL_RTC_H
#include <stdint.h>
uint64_t rtc_read_epoch_seconds(void);
#endif
