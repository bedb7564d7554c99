/* Running one bench/engine compute program two ways -- as a native Linux executable and as
 * a wasm module in the SIP engine (with the WASI subset) -- capturing its output line and
 * the wall time. Shared by the bench runner and its CUnit quick check. */
#ifndef BENCH_ENGINE_BENCH_EXEC_H
#define BENCH_ENGINE_BENCH_EXEC_H

#include <stdbool.h>
#include <stddef.h>

typedef struct {
    char output[256];       /* what the program printed (stdout / fd 1), truncated */
    int exit_code;          /* its exit status; -1 if it crashed, trapped or ran out of fuel */
    double ms;              /* wall time of the whole run */
    double cpu_ms;          /* CPU time (user + system) it used: steadier on a busy machine */
    char error[256];        /* why it could not run, or the trap message ("" if none) */
} bench_outcome;

/* Where the build put things: the directory holding bin/, sips/ and bench/ (found from
 * /proc/self/exe: the program lives two levels below it), or "build" as a fallback. */
const char *bench_build_dir(void);
void bench_native_path(char *buf, size_t n, const char *name);   /* .../bench/engine/native/NAME */
void bench_wasm_path(char *buf, size_t n, const char *name);     /* .../sips/bench/engine/progs/NAME.wasm */

/* Fork + exec + wait, stdout through a pipe. Timed from fork to reaped child. */
bool bench_run_native(const char *exe, const char *arg, bench_outcome *o);

/* Load (decode, validate, compile) + instantiate + run _start, in this process. Timed
 * over all of that. */
bool bench_run_engine(const char *wasm_path, const char *arg, bench_outcome *o);

#endif
