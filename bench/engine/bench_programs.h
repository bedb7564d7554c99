/* The bench/engine compute programs (sources in bench/engine/progs/NAME.c) and the size
 * argument each runs with: the full bench size (~100-300 ms natively) and a tiny one for
 * the quick checksum test. Keep in step with BENCH_ENGINE_PROGS in build.mk. */
#ifndef BENCH_ENGINE_BENCH_PROGRAMS_H
#define BENCH_ENGINE_BENCH_PROGRAMS_H

typedef struct {
    const char *name;
    const char *full_arg;
    const char *quick_arg;
} bench_program;

static const bench_program bench_programs[] = {
    {"sha256", "24",   "1"},
    {"nbody",  "1500", "20"},
    {"sort",   "10",   "1"},
    {"matmul", "360",  "40"},
    {"crc32",  "48",   "2"},
    {"lz77",   "12",   "1"},
    {"vm",     "6",    "1"},
    {0, 0, 0},
};

#endif
