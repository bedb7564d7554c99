/* The hosted node's main loop with netchan (see nc_run in netchan.h): SIPs run in
 * batches of slices, then frames move; while every SIP waits the loop sleeps in the
 * ROUTER's receive until input, the next timer, or the earliest sleeping SIP's deadline.
 * Acks are not flushed after every batch: they ride on replies or go when idle. */
#include "netchan/nc_impl.h"

int nc_run(kernel *k, nc_node *n, uint32_t drain_ms)
{
    uint64_t drain_start = 0;
    for (;;) {
        kernel_run(k, 256);
        nc_flush_overdue(n);              /* the rest ride on data or go when idle */
        bool busy = kernel_busy(k);
        uint64_t now = nc_now();
        if (!k->nsips_live) {
            if (nc_quiescent(n))
                return 0;
            if (!drain_start)
                drain_start = now;
            else if (now - drain_start > drain_ms * 1000000ull) {
                nc_stats st;
                nc_get_stats(n, &st);
                nc_log(n, "leaving with %u channel ends and %llu unacknowledged frames", st.ends,
                       (unsigned long long)st.unacked_frames);
                return 0;
            }
        } else if (!busy && !kernel_next_wake(k) && !nc_live_ends(n) && nc_quiescent(n)) {
            return 1;
        }
        int timeout = busy ? 0 : 10;
        uint64_t wake = kernel_next_wake(k);
        if (!busy && wake) {
            uint64_t ms = wake > now ? (wake - now) / 1000000ull : 0;
            if (ms < (uint64_t)timeout)
                timeout = (int)ms;
        }
        nc_poll(n, timeout);
    }
}
