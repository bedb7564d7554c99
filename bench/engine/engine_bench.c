/* bench/engine: the SIP engine against native code on the same C programs.
 *
 *   engine_bench [-n REPS] [--quick] [NAME...]
 *
 * Each compute program in bench/engine/progs is built twice from one source: natively
 * (gcc -O2) and as a wasm32-wasi SIP (clang-14 -O2). For each, both builds run on the same
 * input; their checksum lines must match. The wall time is the best of REPS runs (default
 * 3; 1 when an engine run is slow). Output: one line per program
 *     NAME  native MS  engine MS  ratio R  (cpu ratio C)
 * then the geometric mean of the ratios. The wall-time ratio is the figure; the CPU-time
 * ratio (best user+system time of each) is printed beside it because on a shared, loaded
 * machine it moves much less from run to run. --quick runs tiny sizes once and only compares
 * checksums (used by the CUnit test; no timing judgement). Exit status 1 if any program
 * fails or the two builds disagree. */
#include "bench/engine/bench_exec.h"
#include "bench/engine/bench_programs.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SLOW_MS 1500.0     /* an engine run longer than this is not repeated */

static bool wanted(const char *name, int argc, char **argv, int first)
{
    if (first >= argc) return true;
    for (int i = first; i < argc; i++)
        if (!strcmp(argv[i], name)) return true;
    return false;
}

/* Best-of-reps of both builds; false (with a message printed) on failure or mismatch. */
typedef struct { double native_ms, engine_ms, native_cpu, engine_cpu; } timing;

static bool measure(const bench_program *p, const char *arg, int reps, timing *t)
{
    char native[4096], wasm[4096];
    bench_native_path(native, sizeof native, p->name);
    bench_wasm_path(wasm, sizeof wasm, p->name);
    bench_outcome n, e;
    t->native_ms = t->engine_ms = t->native_cpu = t->engine_cpu = INFINITY;
    for (int r = 0; r < reps; r++) {
        if (!bench_run_native(native, arg, &n)) {
            printf("%-8s native run failed: exit %d %s\n", p->name, n.exit_code, n.error);
            return false;
        }
        if (!bench_run_engine(wasm, arg, &e)) {
            printf("%-8s engine run failed: exit %d %s\n", p->name, e.exit_code, e.error);
            return false;
        }
        if (strcmp(n.output, e.output) != 0) {
            printf("%-8s MISMATCH native \"%s\" engine \"%s\"\n", p->name,
                   strtok(n.output, "\n"), strtok(e.output, "\n"));
            return false;
        }
        t->native_ms = fmin(t->native_ms, n.ms);
        t->engine_ms = fmin(t->engine_ms, e.ms);
        t->native_cpu = fmin(t->native_cpu, n.cpu_ms);
        t->engine_cpu = fmin(t->engine_cpu, e.cpu_ms);
        if (e.ms > SLOW_MS) break;
    }
    return true;
}

int main(int argc, char **argv)
{
    int reps = 3, first = 1;
    bool quick = false;
    for (; first < argc && argv[first][0] == '-'; first++) {
        if (!strcmp(argv[first], "--quick")) quick = true;
        else if (!strcmp(argv[first], "-n") && first + 1 < argc) reps = atoi(argv[++first]);
        else {
            fprintf(stderr, "usage: engine_bench [-n REPS] [--quick] [NAME...]\n");
            return 2;
        }
    }
    if (reps < 1) reps = 1;

    bool ok = true;
    double log_sum = 0, log_cpu_sum = 0;
    int counted = 0;
    for (const bench_program *p = bench_programs; p->name; p++) {
        if (!wanted(p->name, argc, argv, first)) continue;
        timing t;
        if (!measure(p, quick ? p->quick_arg : p->full_arg, quick ? 1 : reps, &t)) {
            ok = false;
            continue;
        }
        if (quick) {
            printf("%-8s checksums match\n", p->name);
            continue;
        }
        double ratio = t.engine_ms / t.native_ms;
        double cpu_ratio = t.engine_cpu / fmax(t.native_cpu, 0.001);
        printf("%-8s native %8.1f ms  engine %9.1f ms  ratio %6.2f  (cpu ratio %6.2f)\n",
               p->name, t.native_ms, t.engine_ms, ratio, cpu_ratio);
        fflush(stdout);
        log_sum += log(ratio);
        log_cpu_sum += log(cpu_ratio);
        counted++;
    }
    if (counted > 0)
        printf("geomean  ratio %.2f over %d programs (target <= 5.00)  (cpu ratio %.2f)\n",
               exp(log_sum / counted), counted, exp(log_cpu_sum / counted));
    return ok ? 0 : 1;
}
