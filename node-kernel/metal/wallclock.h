/* wallclock.h: wall-clock time (ns since the epoch) from the CMOS clock's seconds
 * edges, interpolated with the TSC clock. */
#ifndef METAL_WALLCLOCK_H
#define METAL_WALLCLOCK_H
#include <stdint.h>
/* Call often (the poll loop does, between SIP slices): notices seconds edges. */
void     wallclock_poll(void);
uint64_t wallclock_ns(void);
#endif
