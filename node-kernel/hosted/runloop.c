/* The hosted node's main loop (see runloop.h). */
#include "node-kernel/hosted/runloop.h"
#include "node-kernel/core/platform.h"
#include <time.h>

int hosted_run(kernel *k)
{
    for (;;) {
        kernel_run(k, 0);
        if (!k->nsips_live)
            return 0;
        if (kernel_busy(k))
            continue;
        uint64_t wake = kernel_next_wake(k);
        if (!wake)
            return 1;
        uint64_t now = plat_time_ns(1);
        if (wake > now) {
            uint64_t d = wake - now;
            struct timespec ts = { (time_t)(d / 1000000000u), (long)(d % 1000000000u) };
            nanosleep(&ts, NULL);
        }
    }
}
