/* Test SIP: wall clock is plausible, monotonic time advances, nanosleep really waits,
 * clock resolution answers, an unknown clock is refused. Prints "clock ok" or the failure. */
#include <errno.h>
#include <stdio.h>
#include <time.h>
#include <wasi/api.h>

static long long ns(clockid_t id)
{
    struct timespec ts;
    if (clock_gettime(id, &ts) != 0) return -1;
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(void)
{
    long long wall = ns(CLOCK_REALTIME);
    if (wall < 1600000000LL * 1000000000LL) { printf("clock BAD realtime %lld\n", wall); return 1; }
    long long t0 = ns(CLOCK_MONOTONIC);
    struct timespec nap = {0, 20 * 1000 * 1000};
    if (nanosleep(&nap, NULL) != 0) { printf("clock BAD nanosleep errno %d\n", errno); return 1; }
    long long t1 = ns(CLOCK_MONOTONIC);
    if (t1 - t0 < 20 * 1000 * 1000) { printf("clock BAD slept %lld ns\n", t1 - t0); return 1; }
    struct timespec res;
    if (clock_getres(CLOCK_MONOTONIC, &res) != 0 || (res.tv_sec == 0 && res.tv_nsec == 0)) {
        printf("clock BAD getres\n");
        return 1;
    }
    __wasi_timestamp_t t;
    if (__wasi_clock_time_get(99, 1, &t) != __WASI_ERRNO_INVAL) {
        printf("clock BAD unknown clock accepted\n");
        return 1;
    }
    printf("clock ok slept_ms=%lld\n", (t1 - t0) / 1000000);
    return 0;
}
