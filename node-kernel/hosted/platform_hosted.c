/* The Linux implementation of node-kernel/core/platform.h: what the platform-neutral core
 * gets from a hosted node (sipnode, siprun, tests). Memory is libc malloc, time is
 * clock_gettime, entropy is getrandom(2), and the console is stderr. */
#include "node-kernel/core/platform.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

void *plat_alloc(size_t n)
{
    return malloc(n ? n : 1);
}

void *plat_realloc(void *p, size_t n)
{
    return realloc(p, n ? n : 1);
}

void plat_free(void *p)
{
    free(p);
}

uint64_t plat_time_ns(int clock_id)
{
    struct timespec ts;
    clockid_t id = clock_id == 0 ? CLOCK_REALTIME : CLOCK_MONOTONIC;
    if (clock_gettime(id, &ts) != 0)
        return 0;
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* getrandom() on a fresh boot may block briefly until the pool is seeded; it never fails
 * for sizes this small except by EINTR, which we retry. */
void plat_random(void *buf, size_t n)
{
    unsigned char *p = buf;
    while (n > 0) {
        ssize_t got = getrandom(p, n, 0);
        if (got < 0) {
            if (errno == EINTR)
                continue;
            abort();        /* the interface promises entropy; no silent zeros */
        }
        p += got;
        n -= (size_t)got;
    }
}

void plat_console_write(const char *s, size_t n)
{
    while (n > 0) {
        ssize_t w = write(STDERR_FILENO, s, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return;
        }
        s += w;
        n -= (size_t)w;
    }
}
