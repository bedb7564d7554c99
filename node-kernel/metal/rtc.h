/* rtc.h: wall-clock time at boot from the CMOS real-time clock. */
#ifndef METAL_RTC_H
#define METAL_RTC_H
#include <stdint.h>
uint64_t rtc_read_epoch_seconds(void);
/* The raw seconds register: cheap to poll for the next seconds edge. */
uint8_t rtc_seconds_register(void);
#endif
