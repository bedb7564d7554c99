/* Runs a bench/engine program natively (a child process) or in the SIP engine (this
 * process), capturing its output and wall time; see bench_exec.h. */
#define _GNU_SOURCE
#include "bench/engine/bench_exec.h"
#include "node-kernel/core/wasi.h"

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double clock_ms(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static double now_ms(void) { return clock_ms(CLOCK_MONOTONIC); }
static double cpu_now_ms(void) { return clock_ms(CLOCK_PROCESS_CPUTIME_ID); }

static double tv_ms(struct timeval tv) { return tv.tv_sec * 1e3 + tv.tv_usec / 1e3; }

const char *bench_build_dir(void)
{
    static char dir[PATH_MAX];
    if (dir[0]) return dir;
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = '\0';
        /* build/bench/engine/engine_bench or build/tests/wasi/test_x: up three levels */
        char *d = dirname(dirname(dirname(exe)));
        snprintf(dir, sizeof dir, "%s", d);
        char probe[PATH_MAX + 16];
        snprintf(probe, sizeof probe, "%s/sips", dir);
        if (access(probe, F_OK) == 0) return dir;
    }
    snprintf(dir, sizeof dir, "build");
    return dir;
}

void bench_native_path(char *buf, size_t n, const char *name)
{
    snprintf(buf, n, "%s/bench/engine/native/%s", bench_build_dir(), name);
}

void bench_wasm_path(char *buf, size_t n, const char *name)
{
    snprintf(buf, n, "%s/sips/bench/engine/progs/%s.wasm", bench_build_dir(), name);
}

static void outcome_reset(bench_outcome *o)
{
    memset(o, 0, sizeof *o);
    o->exit_code = -1;
}

bool bench_run_native(const char *exe, const char *arg, bench_outcome *o)
{
    outcome_reset(o);
    int fds[2];
    if (pipe(fds) != 0) {
        snprintf(o->error, sizeof o->error, "pipe: %s", strerror(errno));
        return false;
    }
    double t0 = now_ms();
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(o->error, sizeof o->error, "fork: %s", strerror(errno));
        close(fds[0]);
        close(fds[1]);
        return false;
    }
    if (pid == 0) {
        dup2(fds[1], STDOUT_FILENO);
        close(fds[0]);
        close(fds[1]);
        execl(exe, exe, arg, (char *)NULL);
        _exit(127);
    }
    close(fds[1]);
    size_t got = 0;
    for (;;) {
        char sink[4096];
        char *dst = got < sizeof o->output - 1 ? o->output + got : sink;
        size_t room = got < sizeof o->output - 1 ? sizeof o->output - 1 - got : sizeof sink;
        ssize_t r = read(fds[0], dst, room);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        if (dst != sink) got += (size_t)r;
    }
    close(fds[0]);
    int status;
    struct rusage ru;
    while (wait4(pid, &status, 0, &ru) < 0 && errno == EINTR) {}
    o->ms = now_ms() - t0;
    o->cpu_ms = tv_ms(ru.ru_utime) + tv_ms(ru.ru_stime);
    o->output[got] = '\0';
    if (WIFEXITED(status)) {
        o->exit_code = WEXITSTATUS(status);
        if (o->exit_code == 127) snprintf(o->error, sizeof o->error, "cannot run %s", exe);
    } else {
        snprintf(o->error, sizeof o->error, "killed by signal %d", WTERMSIG(status));
    }
    return o->exit_code == 0;
}

/* The SIP's fd 1 goes into the outcome's output buffer; fd 2 to our stderr. */
static void capture_log(void *user, int fd, const char *data, size_t len)
{
    bench_outcome *o = user;
    if (fd != 1) {
        fwrite(data, 1, len, stderr);
        return;
    }
    size_t have = strlen(o->output), room = sizeof o->output - 1 - have;
    memcpy(o->output + have, data, len < room ? len : room);
    o->output[have + (len < room ? len : room)] = '\0';
}

static unsigned char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    unsigned char *buf = NULL;
    if (fseek(f, 0, SEEK_END) == 0) {
        long n = ftell(f);
        if (n >= 0 && fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)n + 1)) &&
            fread(buf, 1, (size_t)n, f) == (size_t)n) {
            *len = (size_t)n;
        } else {
            free(buf);
            buf = NULL;
        }
    }
    fclose(f);
    return buf;
}

bool bench_run_engine(const char *wasm_path, const char *arg, bench_outcome *o)
{
    outcome_reset(o);
    size_t len;
    unsigned char *bytes = slurp(wasm_path, &len);
    if (!bytes) {
        snprintf(o->error, sizeof o->error, "%s: %s", wasm_path, strerror(errno));
        return false;
    }
    const char *name = strrchr(wasm_path, '/') ? strrchr(wasm_path, '/') + 1 : wasm_path;
    const char *argv[2] = {name, arg};
    wasi_ctx ctx;
    if (!wasi_ctx_init(&ctx, arg ? 2 : 1, argv, 0, NULL)) {
        free(bytes);
        snprintf(o->error, sizeof o->error, "out of memory");
        return false;
    }
    wasi_ctx_set_log(&ctx, capture_log, o);

    double t0 = now_ms(), c0 = cpu_now_ms();
    wasm_module *m = NULL;
    wasm_err err;
    wasm_store *s = NULL;
    wasi_run_result r;
    bool ok = false;
    if (wasm_module_load(bytes, len, &m, &err) != WASM_OK) {
        snprintf(o->error, sizeof o->error, "%s: %s", wasm_path, err.msg);
    } else if (!(s = wasm_store_new(NULL))) {
        snprintf(o->error, sizeof o->error, "out of memory");
    } else if (wasi_run_command(s, m, &ctx, 0, &r, &err) != WASM_OK) {
        snprintf(o->error, sizeof o->error, "%s: %s", wasm_path, err.msg);
    } else if (r.outcome == WASI_RUN_EXITED) {
        o->exit_code = (int)r.exit_code;
        ok = r.exit_code == 0;
    } else {
        snprintf(o->error, sizeof o->error, "trap: %s", r.msg);
    }
    o->ms = now_ms() - t0;
    o->cpu_ms = cpu_now_ms() - c0;
    if (s) wasm_store_free(s);
    if (m) wasm_module_free(m);
    wasi_ctx_free(&ctx);
    free(bytes);
    return ok;
}
