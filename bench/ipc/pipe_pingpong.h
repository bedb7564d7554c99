/* The Linux baseline for IPC benchmarks: a one-byte ping-pong over two pipes between this
 * process and a forked child, timed over n round trips. */
#ifndef BENCH_IPC_PIPE_PINGPONG_H
#define BENCH_IPC_PIPE_PINGPONG_H

#include <stdint.h>

/* Nanoseconds per round trip, or a negative value if the child could not be started. */
double pipe_pingpong_ns(uint64_t n);
uint64_t bench_now_ns(void);

#endif
