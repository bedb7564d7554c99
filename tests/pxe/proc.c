/* proc.c: child processes, files and cleanup for the network-boot tests (see proc.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "tests/pxe/proc.h"

#define MAX_KIDS 32
static pid_t kids[MAX_KIDS];
static void (*cleanups[8])(void);
static int n_cleanups;

static void forget(pid_t pid)
{
    for (int i = 0; i < MAX_KIDS; i++) if (kids[i] == pid) kids[i] = 0;
}

static void run_cleanups(void)
{
    for (int i = 0; i < MAX_KIDS; i++)
        if (kids[i] > 0) { kill(kids[i], SIGKILL); waitpid(kids[i], NULL, 0); kids[i] = 0; }
    while (n_cleanups > 0) cleanups[--n_cleanups]();
}

static void on_signal(int sig)
{
    run_cleanups();
    signal(sig, SIG_DFL);
    raise(sig);
}

void proc_on_exit(void (*fn)(void))
{
    static int installed;
    if (!installed) {
        installed = 1;
        atexit(run_cleanups);
        signal(SIGINT, on_signal);
        signal(SIGTERM, on_signal);
        signal(SIGHUP, on_signal);
    }
    if (fn && n_cleanups < 8) cleanups[n_cleanups++] = fn;
}

pid_t proc_start(const char *netns, char *const argv[], const char *log_path)
{
    proc_on_exit(NULL);
    int slot = -1;
    for (int i = 0; i < MAX_KIDS && slot < 0; i++) if (!kids[i]) slot = i;
    if (slot < 0) return -1;
    pid_t pid = fork();
    if (pid < 0) return -1;
    if (pid == 0) {
        int fd = open(log_path ? log_path : "/dev/null", O_WRONLY | O_CREAT | O_APPEND, 0600);
        int null = open("/dev/null", O_RDONLY);
        if (fd >= 0) { dup2(fd, 1); dup2(fd, 2); }
        if (null >= 0) dup2(null, 0);
        setpgid(0, 0);                      /* Ctrl-C on the test goes to us, not them */
        if (netns) {
            char *full[64];
            int n = 0;
            full[n++] = "ip"; full[n++] = "netns"; full[n++] = "exec"; full[n++] = (char *)netns;
            for (int i = 0; argv[i] && n < 63; i++) full[n++] = argv[i];
            full[n] = NULL;
            execvp("ip", full);
        } else {
            execvp(argv[0], argv);
        }
        _exit(127);
    }
    kids[slot] = pid;
    return pid;
}

int proc_alive(pid_t pid)
{
    if (pid <= 0) return 0;
    int st;
    pid_t r = waitpid(pid, &st, WNOHANG);
    if (r == pid) { forget(pid); return 0; }
    return r == 0;
}

void proc_stop(pid_t pid, int grace_ms)
{
    if (pid <= 0) return;
    kill(pid, SIGTERM);
    for (int waited = 0; waited < grace_ms; waited += 20) {
        if (waitpid(pid, NULL, WNOHANG) == pid) { forget(pid); return; }
        usleep(20000);
    }
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    forget(pid);
}

int proc_run(const char *fmt, ...)
{
    char cmd[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    char full[2200];
    int verbose = getenv("MULT_TEST_VERBOSE") != NULL;
    /* in a group, so that redirections inside cmd still win */
    snprintf(full, sizeof full, "{ %s ; } %s", cmd, verbose ? "1>&2" : ">/dev/null 2>&1");
    if (verbose) fprintf(stderr, "+ %s\n", cmd);
    int st = system(full);
    return st == -1 ? -1 : WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

char *file_read(const char *path)
{
    FILE *f = fopen(path, "r");
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    if (!buf) abort();
    if (f) {
        size_t n;
        while ((n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
            len += n;
            if (cap - len < 2) { cap *= 2; if (!(buf = realloc(buf, cap))) abort(); }
        }
        fclose(f);
    }
    for (size_t i = 0; i < len; i++) if (!buf[i]) buf[i] = '?';   /* keep strstr working */
    buf[len] = 0;
    return buf;
}

int file_wait_for(const char *path, const char *text, pid_t pid, int timeout_s)
{
    struct timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (;;) {
        char *s = file_read(path);
        int found = strstr(s, text) != NULL;
        free(s);
        if (found) return 1;
        if (pid > 0 && !proc_alive(pid)) return 0;
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (now.tv_sec - start.tv_sec >= timeout_s) return 0;
        usleep(100000);
    }
}

int proc_tmpdir(char *out, size_t len)
{
    snprintf(out, len, "/tmp/mult-pxe-XXXXXX");
    return mkdtemp(out) ? 0 : -1;
}

void proc_rmdir(const char *dir)
{
    if (dir && !strncmp(dir, "/tmp/mult-pxe-", 14) && !strchr(dir, '\'')) proc_run("rm -rf '%s'", dir);
}
