/* sipnode processes for the netchan tests (see nodes.h). */
#include "tests/netchan/nodes.h"
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_PROCS 32
static node_proc *procs[MAX_PROCS];
static int nprocs;
static char dir[64];
static char outs[64][256];      /* every output file made, for the signal path */
static int nouts;
static int port_base;

/* Killed by a harness timeout or ^C: take the sipnodes down with us. */
static void on_signal(int sig)
{
    for (int i = 0; i < nprocs; i++)
        if (procs[i]->pid > 0 && !procs[i]->done)
            kill(procs[i]->pid, SIGKILL);
    for (int i = 0; i < nouts; i++)
        unlink(outs[i]);
    if (dir[0])
        rmdir(dir);
    signal(sig, SIG_DFL);
    raise(sig);
}

int nodes_init(void)
{
    if (dir[0])
        return 0;
    snprintf(dir, sizeof dir, "/tmp/nctest.XXXXXX");
    if (!mkdtemp(dir)) {
        dir[0] = 0;
        return -1;
    }
    port_base = 21000 + (getpid() % 4000) * 8;
    atexit(nodes_cleanup);
    signal(SIGTERM, on_signal);
    signal(SIGINT, on_signal);
    signal(SIGHUP, on_signal);
    return 0;
}

const char *nodes_addr(int i)
{
    static char buf[8][48];
    snprintf(buf[i & 7], sizeof buf[0], "tcp://127.0.0.1:%d", port_base + i);
    return buf[i & 7];
}

int node_start(node_proc *p, const char *name, const char *const *argv)
{
    return node_start_in(p, name, NULL, argv);
}

int node_start_in(node_proc *p, const char *name, const char *netns, const char *const *argv)
{
    memset(p, 0, sizeof *p);
    snprintf(p->name, sizeof p->name, "%s", name);
    snprintf(p->out, sizeof p->out, "%s/%s.out", dir, name);
    if (nouts < 64)
        memcpy(outs[nouts++], p->out, sizeof p->out);
    if (nprocs == MAX_PROCS)
        return -1;
    int argc = 0;
    while (argv[argc])
        argc++;
    char **av = calloc(argc + 6, sizeof *av);
    int k = 0;
    if (netns) {                  /* ip execs sipnode in place: the PID stays the same */
        av[k++] = "/usr/sbin/ip";
        av[k++] = "netns";
        av[k++] = "exec";
        av[k++] = (char *)netns;
    }
    av[k++] = "build/bin/sipnode";
    for (int i = 0; i < argc; i++)
        av[k++] = (char *)argv[i];
    pid_t pid = fork();
    if (pid < 0) {
        free(av);
        return -1;
    }
    if (pid == 0) {
        int fd = open(p->out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
            close(fd);
        }
        execv(av[0], av);
        _exit(127);
    }
    free(av);
    p->pid = pid;
    procs[nprocs++] = p;
    return 0;
}

static void forget(node_proc *p)
{
    for (int i = 0; i < nprocs; i++)
        if (procs[i] == p) {
            procs[i] = procs[--nprocs];
            return;
        }
}

static void reap(node_proc *p, int st)
{
    p->done = true;
    p->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    forget(p);
}

int node_wait(node_proc *p, int timeout_ms)
{
    if (p->done)
        return 0;
    if (!p->pid)
        return -1;
    for (int waited = 0;; waited += 10) {
        int st;
        pid_t r = waitpid(p->pid, &st, WNOHANG);
        if (r == p->pid) {
            reap(p, st);
            return 0;
        }
        if (r < 0 && errno != EINTR)
            return -1;
        if (waited >= timeout_ms)
            return -1;
        struct timespec ts = { 0, 10000000 };
        nanosleep(&ts, NULL);
    }
}

void node_kill(node_proc *p)
{
    if (p->done || !p->pid)
        return;
    kill(p->pid, SIGKILL);
    int st;
    if (waitpid(p->pid, &st, 0) == p->pid)
        reap(p, st);
}

void nodes_cleanup(void)
{
    while (nprocs)
        node_kill(procs[nprocs - 1]);
    if (!dir[0])
        return;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    dir[0] = 0;
}

char *node_output(const node_proc *p)
{
    FILE *f = fopen(p->out, "rb");
    char *buf = calloc(1, 1);
    if (!f)
        return buf;
    size_t n = 0, got;
    char chunk[4096];
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0) {
        buf = realloc(buf, n + got + 1);
        memcpy(buf + n, chunk, got);
        n += got;
        buf[n] = 0;
    }
    fclose(f);
    return buf;
}

long long node_stat(const node_proc *p, const char *key)
{
    char *out = node_output(p);
    char *line = strstr(out, "]: stats ");
    long long v = -1;
    if (line) {
        char pat[64];
        snprintf(pat, sizeof pat, " %s=", key);
        char *k = strstr(line, pat);
        char *eol = strchr(line, '\n');
        if (k && (!eol || k < eol))
            v = strtoll(k + strlen(pat), NULL, 10);
    }
    free(out);
    return v;
}
