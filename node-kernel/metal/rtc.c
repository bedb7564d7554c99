/* rtc.c: reads the CMOS clock (waiting out an update in progress, handling BCD and
 * 12-hour modes) and converts it to seconds since 1970 (UTC assumed). */
#include "node-kernel/metal/rtc.h"
#include "node-kernel/metal/x86.h"

static uint8_t cmos(uint8_t reg) { outb(0x70, reg); return inb(0x71); }

static uint64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return (uint64_t)(era * 146097 + (int64_t)doe - 719468);
}

uint8_t rtc_seconds_register(void) { return cmos(0x00); }

uint64_t rtc_read_epoch_seconds(void)
{
    for (int i = 0; i < 1000000 && (cmos(0x0A) & 0x80); i++) cpu_pause();
    unsigned sec = cmos(0x00), min = cmos(0x02), hour = cmos(0x04);
    unsigned day = cmos(0x07), mon = cmos(0x08), year = cmos(0x09);
    uint8_t b = cmos(0x0B);
    int pm = hour & 0x80;
    hour &= 0x7F;
    if (!(b & 0x04)) {                       /* BCD */
#define BCD(x) (((x) & 0x0F) + ((x) >> 4) * 10)
        sec = BCD(sec); min = BCD(min); hour = BCD(hour);
        day = BCD(day); mon = BCD(mon); year = BCD(year);
#undef BCD
    }
    if (!(b & 0x02) && pm) hour = (hour % 12) + 12;   /* 12-hour mode */
    if (mon < 1 || mon > 12 || day < 1 || day > 31) return 0;
    return days_from_civil(2000 + year, mon, day) * 86400 + hour * 3600 + min * 60 + sec;
}
