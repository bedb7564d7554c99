/* Shared by the bench/engine compute programs: a deterministic PRNG (so native and wasm
 * builds see the same input), the size argument, and the one-line checksum output that the
 * runner compares between the two builds. Each program prints "<name> <checksum>\n". */
#ifndef BENCH_ENGINE_PROGS_COMMON_H
#define BENCH_ENGINE_PROGS_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static uint64_t bench_rng_state = 0x9E3779B97F4A7C15ull;

/* xorshift64*: fast, fully determined by the seed */
static inline uint32_t bench_rand(void)
{
    uint64_t x = bench_rng_state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    bench_rng_state = x;
    return (uint32_t)((x * 0x2545F4914F6CDD1Dull) >> 32);
}

/* argv[1] scales the work; a program's default is its full-size bench run */
static inline long bench_size(int argc, char **argv, long dflt)
{
    long n = argc > 1 ? strtol(argv[1], NULL, 10) : dflt;
    return n > 0 ? n : dflt;
}

static inline uint64_t bench_mix(uint64_t h, uint64_t v)
{
    h ^= v + 0x9E3779B97F4A7C15ull + (h << 6) + (h >> 2);
    return h;
}

static inline void bench_result(const char *name, uint64_t checksum)
{
    printf("%s %016llx\n", name, (unsigned long long)checksum);
}

#endif
