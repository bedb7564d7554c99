/* bench/spawn: cost of creating, starting and ending a SIP (create the record, instantiate
 * the already-loaded module in a fresh store with WASI and `sip` bound, run _start to its
 * exit, reclaim everything) against posix_spawn + waitpid of a tiny static Linux binary,
 * measured in the same run. Target: ratio <= 0.1. Run from the repository root. */
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include "bench/ipc/pipe_pingpong.h"
#include "node-kernel/core/wasm_sip.h"
#include "node-kernel/hosted/deploy.h"

extern char **environ;

static double posix_spawn_ns(const char *path, int n)
{
    char *argv[] = { (char *)path, NULL };
    uint64_t t0 = bench_now_ns();
    for (int i = 0; i < n; i++) {
        pid_t pid;
        int status;
        if (posix_spawn(&pid, path, NULL, NULL, argv, environ) != 0)
            return -1;
        if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
            return -1;
    }
    return (double)(bench_now_ns() - t0) / n;
}

static int ended_ok;
static void on_exit_cb(void *arg, sip *s)
{
    if (s->end == SIP_END_EXIT && s->exit_code == 0)
        ended_ok++;
}

static double sip_spawn_ns(const char *path, int n)
{
    char err[256];
    size_t len;
    uint8_t *bytes = deploy_read_file(path, &len, err, sizeof err);
    wasm_module *m = bytes ? wasm_sip_load_module(bytes, len, err, sizeof err) : NULL;
    free(bytes);
    if (!m) {
        fprintf(stderr, "spawn: %s\n", err);
        return -1;
    }
    kernel *k = kernel_new(0);
    k->on_exit = on_exit_cb;
    const char *argv[] = { "tiny" };
    ended_ok = 0;
    uint64_t t0 = bench_now_ns();
    for (int i = 0; i < n; i++) {
        sip *s = sip_create(k, "tiny", NULL);
        if (!s || wasm_sip_attach(s, m, 1, argv, 0, NULL, err, sizeof err)) {
            fprintf(stderr, "spawn: %s\n", err);
            break;
        }
        sip_start(s);
        kernel_run(k, 0);
    }
    uint64_t t1 = bench_now_ns();
    kernel_free(k);
    wasm_module_free(m);
    return ended_ok == n ? (double)(t1 - t0) / n : -1;
}

int main(void)
{
    const int n = 2000;
    double linux_ns = posix_spawn_ns("build/bench/spawn/tiny", n);
    double sip_ns = sip_spawn_ns("build/sips/bench/spawn/tiny_sip.wasm", n);
    if (linux_ns <= 0 || sip_ns <= 0) {
        fprintf(stderr, "spawn: a measurement failed\n");
        return 1;
    }
    printf("spawn: posix_spawn + wait of a tiny static binary: %.0f ns\n", linux_ns);
    printf("spawn: SIP create + start + exit + reclaim (tiny wasm command): %.0f ns\n", sip_ns);
    printf("spawn: ratio SIP / posix_spawn = %.4f (target <= 0.1)\n", sip_ns / linux_ns);
    return 0;
}
