/* CUnit tests of the WASI subset (node-kernel/core/wasi.c): C programs compiled to wasm by
 * the SDK rules (tests/wasi/sips/) and a few hand-written modules (tests/wasi/wat/)
 * run through the engine; the tests check the SIP's log, exit code, trap kind, and that
 * modules with imports a SIP may not have are refused with a message naming the import.
 * Everything runs in this process: nothing to clean up but memory. */
#define _GNU_SOURCE
#include "node-kernel/core/wasi.h"
#include "tests/cunit_main.h"

#include <CUnit/CUnit.h>
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- running a module ------------------------------------------------------------------- */

typedef struct {
    char out[16384], err[4096];    /* the SIP's fd 1 and fd 2 */
    size_t nout, nerr;
} sip_log;

typedef struct {
    wasm_errcode rc;               /* WASM_OK: the program ran (see r) */
    wasi_run_result r;
    wasm_err err;
    sip_log log;
} sip_run;

static char build_dir[PATH_MAX];

static void find_build_dir(void)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    snprintf(build_dir, sizeof build_dir, "build");
    if (n > 0) {
        exe[n] = '\0';
        snprintf(build_dir, sizeof build_dir, "%s", dirname(dirname(dirname(exe))));
    }
}

static void collect(void *user, int fd, const char *data, size_t len)
{
    sip_log *l = user;
    char *buf = fd == 1 ? l->out : l->err;
    size_t *n = fd == 1 ? &l->nout : &l->nerr;
    size_t cap = (fd == 1 ? sizeof l->out : sizeof l->err) - 1;
    size_t take = len < cap - *n ? len : cap - *n;
    memcpy(buf + *n, data, take);
    *n += take;
    buf[*n] = '\0';
}

static unsigned char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    unsigned char *buf = malloc(1 << 20);
    *len = buf ? fread(buf, 1, 1 << 20, f) : 0;
    fclose(f);
    return buf;
}

static wasm_module *load(const char *rel)
{
    char path[PATH_MAX + 64];
    snprintf(path, sizeof path, "%s/%s", build_dir, rel);
    size_t len = 0;
    unsigned char *bytes = slurp(path, &len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(bytes);
    wasm_module *m = NULL;
    wasm_err err;
    wasm_errcode rc = wasm_module_load(bytes, len, &m, &err);
    free(bytes);
    if (rc != WASM_OK) fprintf(stderr, "\n%s: %s\n", rel, err.msg);
    CU_ASSERT_EQUAL_FATAL(rc, WASM_OK);
    return m;
}

/* Runs build/<rel> with the given argv (argv[0] = the module's name) and environment. */
static sip_run *run_module(const char *rel, uint64_t fuel, const char *const *args, int nargs,
                           const char *const *env, int nenv)
{
    sip_run *run = calloc(1, sizeof *run);
    CU_ASSERT_PTR_NOT_NULL_FATAL(run);
    wasm_module *m = load(rel);
    const char *argv[16] = {strrchr(rel, '/') + 1};
    for (int i = 0; i < nargs && i < 15; i++) argv[i + 1] = args[i];
    wasi_ctx ctx;
    CU_ASSERT_FATAL(wasi_ctx_init(&ctx, (uint32_t)nargs + 1, argv, (uint32_t)nenv, env));
    wasi_ctx_set_log(&ctx, collect, &run->log);
    wasm_store *s = wasm_store_new(NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    run->rc = wasi_run_command(s, m, &ctx, fuel, &run->r, &run->err);
    wasm_store_free(s);
    wasm_module_free(m);
    wasi_ctx_free(&ctx);
    return run;
}

static sip_run *run_sip(const char *name, const char *const *args, int nargs)
{
    char rel[256];
    snprintf(rel, sizeof rel, "sips/tests/wasi/sips/%s.wasm", name);
    return run_module(rel, 0, args, nargs, NULL, 0);
}

static void assert_exited(const sip_run *run, uint32_t code)
{
    if (run->rc != WASM_OK) fprintf(stderr, "\nrefused: %s\n", run->err.msg);
    CU_ASSERT_EQUAL(run->rc, WASM_OK);
    if (run->r.outcome == WASI_RUN_TRAPPED) fprintf(stderr, "\ntrap: %s\n", run->r.msg);
    CU_ASSERT_EQUAL(run->r.outcome, WASI_RUN_EXITED);
    CU_ASSERT_EQUAL(run->r.exit_code, code);
}

#define ASSERT_HAS(hay, needle) do {                                                    \
        bool found_ = strstr((hay), (needle)) != NULL;                                  \
        if (!found_) fprintf(stderr, "\nmissing \"%s\" in:\n%s\n", (needle), (hay));   \
        CU_ASSERT(found_);                                                              \
    } while (0)

/* ---- the tests ---------------------------------------------------------------------------- */

static void test_printf_to_log(void)
{
    sip_run *r = run_sip("hello", NULL, 0);
    assert_exited(r, 0);
    CU_ASSERT_STRING_EQUAL(r->log.out, "hello from a SIP\n42 words 3.142 beef\n"
                                       "no newline at the end");
    CU_ASSERT_STRING_EQUAL(r->log.err, "to stderr\n");
    CU_ASSERT(r->r.fuel_used > 0);
    free(r);
}

static void test_malloc_free(void)
{
    sip_run *r = run_sip("alloc", NULL, 0);
    assert_exited(r, 0);
    ASSERT_HAS(r->log.out, "alloc ok ");
    free(r);
}

static void test_args_and_env(void)
{
    const char *args[] = {"one", "two words", ""};
    const char *env[] = {"ROLE=tester", "EMPTY="};
    sip_run *r = run_module("sips/tests/wasi/sips/args_env.wasm", 0, args, 3, env, 2);
    assert_exited(r, 0);
    CU_ASSERT_STRING_EQUAL(r->log.out,
        "argc=4\nargv[0]=args_env.wasm\nargv[1]=one\nargv[2]=two words\nargv[3]=\n"
        "env=ROLE=tester\nenv=EMPTY=\nenvc=2\nROLE=tester\n");
    free(r);

    r = run_module("sips/tests/wasi/sips/args_env.wasm", 0, NULL, 0, NULL, 0);
    assert_exited(r, 0);
    ASSERT_HAS(r->log.out, "argc=1\n");
    ASSERT_HAS(r->log.out, "envc=0\nROLE=(unset)\n");
    free(r);
}

static void test_clocks_and_sleep(void)
{
    sip_run *r = run_sip("clock", NULL, 0);
    assert_exited(r, 0);
    ASSERT_HAS(r->log.out, "clock ok");
    free(r);
}

static void test_random(void)
{
    sip_run *r = run_sip("random", NULL, 0);
    assert_exited(r, 0);
    CU_ASSERT_STRING_EQUAL(r->log.out, "random ok\n");
    free(r);
}

static void test_exit_codes(void)
{
    static const struct { const char *arg, *how; uint32_t code; const char *out; } cases[] = {
        {"0", "exit", 0, "exiting with 0"},
        {"3", "exit", 3, "exiting with 3"},
        {"255", "exit", 255, "exiting with 255"},
        {"7", "return", 7, "exiting with 7"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *args[] = {cases[i].arg, cases[i].how};
        sip_run *r = run_sip("exitcode", args, 2);
        assert_exited(r, cases[i].code);
        CU_ASSERT_STRING_EQUAL(r->log.out, cases[i].out);   /* flushed at exit */
        free(r);
    }
}

static void test_traps(void)
{
    static const struct { const char *how; wasm_trap trap; } cases[] = {
        {"unreachable", WASM_TRAP_UNREACHABLE},
        {"div0", WASM_TRAP_DIV_ZERO},
        {"oob", WASM_TRAP_MEMORY_OOB},
        {"stack", WASM_TRAP_STACK_EXHAUSTED},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *args[] = {cases[i].how};
        sip_run *r = run_sip("trap", args, 1);
        CU_ASSERT_EQUAL(r->rc, WASM_OK);
        CU_ASSERT_EQUAL(r->r.outcome, WASI_RUN_TRAPPED);
        CU_ASSERT_EQUAL(r->r.trap, cases[i].trap);
        CU_ASSERT(r->r.msg[0] != '\0');
        char want[64];
        snprintf(want, sizeof want, "before %s\n", cases[i].how);
        CU_ASSERT_STRING_EQUAL(r->log.out, want);
        free(r);
    }
}

static void test_fuel_limit(void)
{
    const char *args[] = {"loop"};
    sip_run *r = run_module("sips/tests/wasi/sips/trap.wasm", 2000000, args, 1, NULL, 0);
    CU_ASSERT_EQUAL(r->rc, WASM_OK);
    CU_ASSERT_EQUAL(r->r.outcome, WASI_RUN_OUT_OF_FUEL);
    CU_ASSERT(r->r.fuel_used >= 2000000);
    CU_ASSERT_STRING_EQUAL(r->log.out, "before loop\n");
    free(r);
}

static void test_bad_pointers_answer_errno(void)
{
    sip_run *r = run_sip("badptr", NULL, 0);
    assert_exited(r, 0);
    ASSERT_HAS(r->log.out, "fd_write_iovs=21\n");
    ASSERT_HAS(r->log.out, "fd_write_buf=21\n");
    ASSERT_HAS(r->log.out, "fd_write_nwritten=21\n");
    ASSERT_HAS(r->log.out, "fd_write_badfd=8\n");
    ASSERT_HAS(r->log.out, "random_get=21\n");
    ASSERT_HAS(r->log.out, "clock_time_get=21\n");
    ASSERT_HAS(r->log.out, "args_sizes_get=21\n");
    ASSERT_HAS(r->log.out, "args_get=21\n");
    ASSERT_HAS(r->log.out, "fd_prestat_get=8\n");
    ASSERT_HAS(r->log.out, "fd_seek=70\n");
    ASSERT_HAS(r->log.out, "fd_seek_badfd=8\n");
    ASSERT_HAS(r->log.out, "path_open=8\n");
    ASSERT_HAS(r->log.out, "fopen=failed errno_set=1\n");
    ASSERT_HAS(r->log.out, "errno_erange=1\n");
    ASSERT_HAS(r->log.out, "read_stdin=0\n");
    ASSERT_HAS(r->log.out, "badptr done\n");
    free(r);
}

static void test_every_stub_answers_errno(void)
{
    sip_run *r = run_sip("every_call", NULL, 0);
    assert_exited(r, 0);
    ASSERT_HAS(r->log.out, "every call answered\n");
    int lines = 0;
    for (char *line = strtok(r->log.out, "\n"); line; line = strtok(NULL, "\n")) {
        char name[64];
        int badfd, out;
        if (sscanf(line, "%63s badfd=%d stdout=%d", name, &badfd, &out) != 3) continue;
        lines++;
        if (badfd != WASI_EBADF || (out == 0) != !strcmp(name, "fd_filestat_get"))
            fprintf(stderr, "\n%s\n", line);
        CU_ASSERT_EQUAL(badfd, WASI_EBADF);                   /* fd 9 does not exist */
        CU_ASSERT_EQUAL(out == 0, !strcmp(name, "fd_filestat_get"));   /* stdout: a failure */
    }
    CU_ASSERT_EQUAL(lines, 28);
    free(r);
}

static void test_iovec_overflow_and_no_memory(void)
{
    sip_run *r = run_module("tests/wasi/wat/iovec_wrap.wasm", 0, NULL, 0, NULL, 0);
    assert_exited(r, 2 * WASI_EFAULT);
    CU_ASSERT_STRING_EQUAL(r->log.out, "ok\n");
    free(r);
    r = run_module("tests/wasi/wat/no_memory.wasm", 0, NULL, 0, NULL, 0);
    assert_exited(r, 2 * WASI_EFAULT);
    free(r);
}

static void test_sched_yield(void)
{
    sip_run *r = run_sip("yield", NULL, 0);
    assert_exited(r, 0);
    CU_ASSERT_STRING_EQUAL(r->log.out, "yielded 5\n");
    free(r);
}

/* A refused module: the runner and wasi_check_imports both refuse, naming `needle`. */
static void assert_refused(const char *rel, const char *needle)
{
    wasm_module *m = load(rel);
    char why[256];
    CU_ASSERT_FALSE(wasi_check_imports(m, why, sizeof why));
    ASSERT_HAS(why, needle);
    wasm_module_free(m);

    sip_run *r = run_module(rel, 0, NULL, 0, NULL, 0);
    CU_ASSERT_EQUAL(r->rc, WASM_ERR_LINK);
    ASSERT_HAS(r->err.msg, needle);
    CU_ASSERT_EQUAL(r->log.nout, 0);
    free(r);
}

static void test_forbidden_imports_refused(void)
{
    assert_refused("sips/tests/wasi/sips/forbidden.wasm", "\"env.launch_missiles\" is not allowed");
    assert_refused("tests/wasi/wat/bad_signature.wasm",
                   "\"wasi_snapshot_preview1.fd_write\" has the wrong signature");
    assert_refused("tests/wasi/wat/unknown_wasi.wasm",
                   "\"wasi_snapshot_preview1.path_teleport\" is not a wasi_snapshot_preview1 function");
    assert_refused("tests/wasi/wat/memory_import.wasm", "\"wasi_snapshot_preview1.memory\" is not a function");
}

static void test_sip_imports_left_to_kernel(void)
{
    wasm_module *m = load("sips/tests/wasi/sips/sip_import.wasm");
    char why[256];
    CU_ASSERT_TRUE(wasi_check_imports(m, why, sizeof why));

    uint32_t n = wasm_module_num_imports(m);
    wasm_extern imports[64];
    CU_ASSERT_FATAL(n <= 64);
    wasm_store *s = wasm_store_new(NULL);
    wasi_ctx ctx;
    CU_ASSERT_FATAL(wasi_ctx_init(&ctx, 0, NULL, 0, NULL));
    CU_ASSERT_EQUAL(wasi_bind(s, m, &ctx, imports, why, sizeof why), 1);
    for (uint32_t i = 0; i < n; i++) {
        wasm_importdesc d;
        wasm_module_import(m, i, &d);
        bool is_sip = d.module_len == 3 && !memcmp(d.module, "sip", 3);
        CU_ASSERT_EQUAL(imports[i].kind == WASI_UNBOUND_KIND, is_sip);
    }
    wasm_store_free(s);
    wasi_ctx_free(&ctx);
    wasm_module_free(m);

    /* without a node kernel the runner refuses it, naming the import */
    sip_run *r = run_module("sips/tests/wasi/sips/sip_import.wasm", 0, NULL, 0, NULL, 0);
    CU_ASSERT_EQUAL(r->rc, WASM_ERR_LINK);
    ASSERT_HAS(r->err.msg, "\"sip.yield\" needs the sip ABI");
    free(r);
}

static void test_no_start_refused(void)
{
    sip_run *r = run_module("tests/wasi/wat/no_start.wasm", 0, NULL, 0, NULL, 0);
    CU_ASSERT_EQUAL(r->rc, WASM_ERR_LINK);
    ASSERT_HAS(r->err.msg, "_start");
    free(r);
}

/* ---- siprun, the command-line runner ------------------------------------------------------ */

typedef struct { char out[4096], err[4096]; int status; } cli_run;

/* Runs build/bin/siprun with args as a child process (killed if it outlives 30 s), capturing
 * its stdout and stderr; status is its exit code, or -1 if it did not exit normally. */
static void run_siprun(const char *const *args, int nargs, cli_run *r)
{
    memset(r, 0, sizeof *r);
    r->status = -1;
    char exe[PATH_MAX + 32];
    snprintf(exe, sizeof exe, "%s/bin/siprun", build_dir);
    const char *argv[20] = {exe};
    for (int i = 0; i < nargs && i < 18; i++) argv[i + 1] = args[i];
    int out[2], err[2];
    CU_ASSERT_FATAL(pipe(out) == 0);
    CU_ASSERT_FATAL(pipe(err) == 0);
    pid_t pid = fork();
    CU_ASSERT_FATAL(pid >= 0);
    if (pid == 0) {
        dup2(out[1], 1);
        dup2(err[1], 2);
        close(out[0]); close(out[1]); close(err[0]); close(err[1]);
        execv(exe, (char *const *)argv);
        _exit(127);
    }
    close(out[1]);
    close(err[1]);
    struct pollfd pf[2] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
    size_t n[2] = {0, 0};
    char *buf[2] = {r->out, r->err};
    int open_fds = 2, waited_ms = 0;
    while (open_fds > 0 && waited_ms < 30000) {
        int ready = poll(pf, 2, 100);
        if (ready == 0) { waited_ms += 100; continue; }
        if (ready < 0 && errno != EINTR) break;
        for (int i = 0; i < 2; i++) {
            if (pf[i].fd < 0 || !(pf[i].revents & (POLLIN | POLLHUP))) continue;
            char tmp[1024];
            ssize_t got = read(pf[i].fd, tmp, sizeof tmp);
            if (got <= 0) { close(pf[i].fd); pf[i].fd = -1; open_fds--; continue; }
            size_t take = (size_t)got < 4095 - n[i] ? (size_t)got : 4095 - n[i];
            memcpy(buf[i] + n[i], tmp, take);
            n[i] += take;
            buf[i][n[i]] = '\0';
        }
    }
    if (open_fds > 0) kill(pid, SIGKILL);
    for (int i = 0; i < 2; i++) if (pf[i].fd >= 0) close(pf[i].fd);
    int st;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {}
    if (WIFEXITED(st)) r->status = WEXITSTATUS(st);
}

static void sip_path(char *buf, size_t n, const char *name)
{
    snprintf(buf, n, "%s/sips/tests/wasi/sips/%s.wasm", build_dir, name);
}

static void test_siprun_passes_log_and_exit_code(void)
{
    char mod[PATH_MAX + 64];
    cli_run r;
    sip_path(mod, sizeof mod, "hello");
    run_siprun((const char *[]){mod}, 1, &r);
    CU_ASSERT_EQUAL(r.status, 0);
    CU_ASSERT_STRING_EQUAL(r.out, "hello from a SIP\n42 words 3.142 beef\nno newline at the end");
    ASSERT_HAS(r.err, "to stderr\n");
    ASSERT_HAS(r.err, "siprun: exit 0");

    sip_path(mod, sizeof mod, "exitcode");
    run_siprun((const char *[]){mod, "9"}, 2, &r);
    CU_ASSERT_EQUAL(r.status, 9);
    CU_ASSERT_STRING_EQUAL(r.out, "exiting with 9");
    ASSERT_HAS(r.err, "siprun: exit 9");

    sip_path(mod, sizeof mod, "args_env");
    run_siprun((const char *[]){"--quiet", "--env", "ROLE=cli", mod, "x"}, 5, &r);
    CU_ASSERT_EQUAL(r.status, 0);
    ASSERT_HAS(r.out, "args_env.wasm\nargv[1]=x\n");     /* argv[0] is the path as given */
    ASSERT_HAS(r.out, "ROLE=cli\n");
    CU_ASSERT_STRING_EQUAL(r.err, "");
}

static void test_siprun_trap_fuel_refusal(void)
{
    char mod[PATH_MAX + 64];
    cli_run r;
    sip_path(mod, sizeof mod, "trap");
    run_siprun((const char *[]){mod, "div0"}, 2, &r);
    CU_ASSERT_EQUAL(r.status, 125);
    ASSERT_HAS(r.err, "siprun: trap: ");

    run_siprun((const char *[]){"--fuel", "1000000", mod, "loop"}, 4, &r);
    CU_ASSERT_EQUAL(r.status, 124);
    ASSERT_HAS(r.err, "out of fuel");

    /* a memory quota: alloc's 8 MiB calloc cannot fit in 1 MiB */
    sip_path(mod, sizeof mod, "alloc");
    run_siprun((const char *[]){"--memory", "1m", mod}, 3, &r);
    CU_ASSERT_NOT_EQUAL(r.status, 0);
    CU_ASSERT(strstr(r.out, "alloc ok") == NULL);
    run_siprun((const char *[]){"--memory", "64m", mod}, 3, &r);
    CU_ASSERT_EQUAL(r.status, 0);
    ASSERT_HAS(r.out, "alloc ok");

    sip_path(mod, sizeof mod, "forbidden");
    run_siprun((const char *[]){mod}, 1, &r);
    CU_ASSERT_EQUAL(r.status, 126);
    ASSERT_HAS(r.err, "\"env.launch_missiles\" is not allowed");

    /* bytes that are not a module, and a file that does not exist */
    char junk[PATH_MAX + 64];
    snprintf(junk, sizeof junk, "%s/tests/wasi/test_wasi.o", build_dir);
    run_siprun((const char *[]){junk}, 1, &r);
    CU_ASSERT_EQUAL(r.status, 126);
    ASSERT_HAS(r.err, "siprun: ");
    run_siprun((const char *[]){"/nonexistent/x.wasm"}, 1, &r);
    CU_ASSERT_EQUAL(r.status, 126);
    run_siprun((const char *[]){"--fuel"}, 1, &r);
    CU_ASSERT_EQUAL(r.status, 2);
    ASSERT_HAS(r.err, "usage");
}

/* Moving a running SIP through snapshot/restore every few thousand instructions (what a
 * migration does once) must not change what it prints or how it ends. */
static void test_siprun_snapshot_round_trips(void)
{
    static const struct { const char *module, *arg, *slice; } cases[] = {
        {"sips/tests/wasi/sips/hello.wasm", NULL, "1000"},
        {"sips/tests/wasi/sips/args_env.wasm", "x", "700"},
        {"sips/tests/wasi/sips/alloc.wasm", NULL, "200000000"},
        {"sips/tests/wasi/sips/exitcode.wasm", "5", "500"},
        {"sips/bench/engine/progs/sort.wasm", "1", "40000000"},
        {"sips/bench/engine/progs/nbody.wasm", "20", "5000000"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char mod[PATH_MAX + 64];
        snprintf(mod, sizeof mod, "%s/%s", build_dir, cases[i].module);
        cli_run straight, moved;
        run_siprun((const char *[]){"--quiet", mod, cases[i].arg}, cases[i].arg ? 3 : 2, &straight);
        run_siprun((const char *[]){"--snapshot-every", cases[i].slice, mod, cases[i].arg},
                   cases[i].arg ? 4 : 3, &moved);
        CU_ASSERT_EQUAL(moved.status, straight.status);
        CU_ASSERT_STRING_EQUAL(moved.out, straight.out);
        CU_ASSERT(straight.out[0] != '\0');
        const char *trips = strstr(moved.err, "snapshot round trips");
        CU_ASSERT_PTR_NOT_NULL_FATAL(trips);
        while (trips > moved.err && trips[-1] == ' ') trips--;
        while (trips > moved.err && trips[-1] >= '0' && trips[-1] <= '9') trips--;
        if (atol(trips) < 3) fprintf(stderr, "\n%s: %s\n", cases[i].module, moved.err);
        CU_ASSERT(atol(trips) >= 3);
    }
}

int main(void)
{
    find_build_dir();
    if (CU_initialize_registry() != CUE_SUCCESS) return 1;
    CU_pSuite s = CU_add_suite("wasi", NULL, NULL);
    CU_add_test(s, "printf reaches the log (fd 1 and fd 2)", test_printf_to_log);
    CU_add_test(s, "malloc/realloc/free and memory.grow", test_malloc_free);
    CU_add_test(s, "args and environment", test_args_and_env);
    CU_add_test(s, "clocks and nanosleep", test_clocks_and_sleep);
    CU_add_test(s, "random_get", test_random);
    CU_add_test(s, "exit codes (exit and return from main)", test_exit_codes);
    CU_add_test(s, "traps end the SIP with the right kind", test_traps);
    CU_add_test(s, "fuel budget stops a looping SIP", test_fuel_limit);
    CU_add_test(s, "bad pointers and missing fds answer errno", test_bad_pointers_answer_errno);
    CU_add_test(s, "every file/socket call answers an errno", test_every_stub_answers_errno);
    CU_add_test(s, "iovec overflow and no memory answer EFAULT", test_iovec_overflow_and_no_memory);
    CU_add_test(s, "sched_yield yields and returns", test_sched_yield);
    CU_add_test(s, "forbidden imports are refused by name", test_forbidden_imports_refused);
    CU_add_test(s, "sip imports are left to the kernel", test_sip_imports_left_to_kernel);
    CU_add_test(s, "a module without _start is refused", test_no_start_refused);
    CU_pSuite c = CU_add_suite("siprun", NULL, NULL);
    CU_add_test(c, "log, arguments and exit code pass through", test_siprun_passes_log_and_exit_code);
    CU_add_test(c, "trap, fuel and refusal exit statuses", test_siprun_trap_fuel_refusal);
    CU_add_test(c, "snapshot round trips change nothing", test_siprun_snapshot_round_trips);
    return cunit_run_all("build/tests/wasi/test_wasi");
}
