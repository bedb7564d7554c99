/* test_enginediff: each program of tests/enginediff/progs, built natively and to wasm at
 * build time, must print exactly the same thing natively and in the engine (siprun).
 * Every child is ours, waited for, and killed by pid if it outlives its time limit. */
#include "tests/cunit_main.h"
#include <CUnit/CUnit.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define SIPRUN    "build/bin/siprun"
#define NATIVE    "build/tests/enginediff/native/"
#define WASM      "build/sips/tests/enginediff/progs/"
#define OUT_MAX   (1 << 20)
#define LIMIT_MS  60000

typedef struct { char *buf; size_t len; int status; } output;

static long now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000L + t.tv_nsec / 1000000L;
}

/* Run argv with stdout captured (stderr discarded); false if it could not be run. */
static bool run_capture(char *const argv[], output *o)
{
    o->buf = malloc(OUT_MAX);
    o->len = 0;
    o->status = -1;
    int fd[2];
    if (!o->buf || pipe(fd) != 0)
        return false;
    pid_t pid = fork();
    if (pid < 0) {
        close(fd[0]);
        close(fd[1]);
        return false;
    }
    if (pid == 0) {
        dup2(fd[1], 1);
        int null = open("/dev/null", O_WRONLY);
        if (null >= 0)
            dup2(null, 2);
        close(fd[0]);
        close(fd[1]);
        execv(argv[0], argv);
        _exit(127);
    }
    close(fd[1]);
    long deadline = now_ms() + LIMIT_MS;
    for (;;) {
        long left = deadline - now_ms();
        struct pollfd p = { .fd = fd[0], .events = POLLIN };
        int r = left > 0 ? poll(&p, 1, (int)left) : 0;
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            kill(pid, SIGKILL);                 /* timed out: our own child, by pid */
            break;
        }
        ssize_t n = read(fd[0], o->buf + o->len, OUT_MAX - 1 - o->len);
        if (n <= 0)
            break;
        o->len += (size_t)n;
        if (o->len >= OUT_MAX - 1) {
            kill(pid, SIGKILL);
            break;
        }
    }
    close(fd[0]);
    while (waitpid(pid, &o->status, 0) < 0 && errno == EINTR)
        ;
    o->buf[o->len] = 0;
    return true;
}

/* Where the two outputs first differ, for the failure message. */
static void report_difference(const char *name, const output *nat, const output *wasm)
{
    size_t i = 0, line = 1;
    while (i < nat->len && i < wasm->len && nat->buf[i] == wasm->buf[i])
        line += nat->buf[i++] == '\n';
    fprintf(stderr, "\n%s: outputs differ at line %zu (native %zu bytes, wasm %zu bytes)\n"
            "  native: %.80s\n  wasm:   %.80s\n", name, line, nat->len, wasm->len,
            nat->buf + i, wasm->buf + i);
}

static void compare(const char *name)
{
    char native[256], wasm[256];
    snprintf(native, sizeof native, NATIVE "%s", name);
    snprintf(wasm, sizeof wasm, WASM "%s.wasm", name);
    char *nargv[] = { native, NULL };
    char *wargv[] = { SIPRUN, wasm, NULL };
    output n = { 0 }, w = { 0 };
    CU_ASSERT_FATAL(access(native, X_OK) == 0 && access(wasm, R_OK) == 0);
    bool ran = run_capture(nargv, &n) && run_capture(wargv, &w);
    CU_ASSERT(ran);
    if (ran) {
        CU_ASSERT(WIFEXITED(n.status) && WEXITSTATUS(n.status) == 0);
        CU_ASSERT(WIFEXITED(w.status) && WEXITSTATUS(w.status) == 0);
        CU_ASSERT(n.len > 0);
        bool same = n.len == w.len && memcmp(n.buf, w.buf, n.len) == 0;
        if (!same)
            report_difference(name, &n, &w);
        CU_ASSERT(same);
    }
    free(n.buf);
    free(w.buf);
}

static void test_strings(void) { compare("strings"); }
static void test_memops(void)  { compare("memops"); }
static void test_sorting(void) { compare("sorting"); }
static void test_format(void)  { compare("format"); }
static void test_bits(void)    { compare("bits"); }

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 1;
    CU_pSuite s = CU_add_suite("engine vs native", NULL, NULL);
    CU_add_test(s, "string functions (strcat/strcpy/strlen/...) at every alignment", test_strings);
    CU_add_test(s, "memcpy/memmove/memset/memcmp on odd offsets", test_memops);
    CU_add_test(s, "qsort and bsearch", test_sorting);
    CU_add_test(s, "printf/snprintf formatting", test_format);
    CU_add_test(s, "bit tricks, shifted indices, pointer + call result stores", test_bits);
    return cunit_run_all("build/tests/enginediff/test_enginediff");
}
