/* wallclock.c: the wall clock (see wallclock.h). The CMOS clock counts whole seconds,
 * and the TSC clock's calibration (a few milliseconds against the PIT at boot) can be
 * off by several percent under an emulator, so neither alone makes a good wall clock. wallclock_poll(), called from the
 * poll loop, watches the CMOS seconds register; at every seconds edge it sees promptly
 * (within 3 ms of its previous look) it re-anchors the wall clock there and measures
 * how many TSC nanoseconds the seconds since the last such edge lasted. Between
 * edges the time is interpolated with that rate: exact to a millisecond or two, which the
 * orchestrator needs when it compares report times with its own. */
#include "node-kernel/metal/wallclock.h"
#include "node-kernel/metal/rtc.h"
#include "node-kernel/metal/timer.h"
#include "node-kernel/metal/kprintf.h"

static uint64_t edge_seconds, edge_mono_ns, mono_per_second = 1000000000ull;
static uint64_t last_poll_ns;
static int clock_state;                 /* 0 nothing, 1 watching, 2 anchored at an edge */
static int edge_exact;                  /* the anchor edge was seen within EXACT_NS */
static uint8_t last_seconds_reg;

#define EXACT_NS 3000000ull             /* an edge seen this soon after the last look */

void wallclock_poll(void)
{
    uint64_t mono = timer_ns(), since = mono - last_poll_ns;
    last_poll_ns = mono;
    uint8_t reg = rtc_seconds_register();
    if (!clock_state) { last_seconds_reg = reg; clock_state = 1; return; }
    if (reg == last_seconds_reg) return;
    last_seconds_reg = reg;
    uint64_t s = rtc_read_epoch_seconds();
    int exact = since <= EXACT_NS;
    uint64_t at = mono - since / 2;     /* the edge happened since the last look */
    if (clock_state == 2 && !exact) {   /* seen late: keep interpolating, but count the second */
        return;
    }
    if (clock_state == 2 && edge_exact && s > edge_seconds && s - edge_seconds < 8)
        mono_per_second = (at - edge_mono_ns) / (s - edge_seconds);
    if (clock_state == 1)
        kprintf("clock: wall clock set at a CMOS seconds edge: %lu s since the epoch\n", (unsigned long)s);
    edge_seconds = s;
    edge_mono_ns = at;
    edge_exact = exact;
    clock_state = 2;
}

uint64_t wallclock_ns(void)
{
    if (clock_state < 2) return rtc_read_epoch_seconds() * 1000000000ull;    /* whole seconds */
    uint64_t d = timer_ns() - edge_mono_ns;
    uint64_t whole = d / mono_per_second, part = d % mono_per_second;
    return (edge_seconds + whole) * 1000000000ull + part * 1000000000ull / mono_per_second;
}
