/* orchd_proc.c: the real orchestrator daemon as a test fixture (see orchd_proc.h). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <fcntl.h>
#include <dirent.h>
#include "tests/metal/orchd_proc.h"

static const char *bin(const char *env, const char *fallback)
{
    const char *v = getenv(env);
    return v && *v ? v : fallback;
}

int orchd_free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t len = sizeof a;
    int port = -1;
    if (fd >= 0 && !bind(fd, (struct sockaddr *)&a, sizeof a) && !getsockname(fd, (struct sockaddr *)&a, &len))
        port = ntohs(a.sin_port);
    if (fd >= 0) close(fd);
    return port;
}

static void remove_dir(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char path[384];
    while (d && (e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
            snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
            unlink(path);
        }
    if (d) closedir(d);
    rmdir(dir);
}

void orchd_stop_pid(pid_t pid)
{
    if (pid <= 0) return;
    kill(pid, SIGTERM);
    int status;
    for (int i = 0; i < 50; i++) {
        if (waitpid(pid, &status, WNOHANG) == pid) return;
        struct timespec ts = { 0, 100 * 1000 * 1000 };
        nanosleep(&ts, NULL);
    }
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
}

pid_t orchd_start_sipnode(struct orchd_proc *o, const char *id, int nc_port, const char *label)
{
    char orch[64], nc[64], log[128];
    snprintf(orch, sizeof orch, "tcp://127.0.0.1:%d", o->node_port);
    snprintf(nc, sizeof nc, "tcp://127.0.0.1:%d", nc_port);
    snprintf(log, sizeof log, "%s/%s.log", o->dir, id);
    const char *sipnode = bin("MULT_SIPNODE", "build/bin/sipnode");
    pid_t pid = fork();
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (fd >= 0) { dup2(fd, 1); dup2(fd, 2); close(fd); }
        execl(sipnode, sipnode, "-c", "contracts/lib/echo.contract", "--orch", orch, "--orch-id", id,
              "--orch-nc", nc, "--orch-label", label, (char *)NULL);
        _exit(127);
    }
    return pid;
}

char *orchd_read_file(struct orchd_proc *o, const char *name)
{
    char path[128];
    snprintf(path, sizeof path, "%s/%s", o->dir, name);
    char *buf = calloc(1, 65536);
    FILE *f = fopen(path, "r");
    if (f) { size_t n = fread(buf, 1, 65535, f); buf[n] = 0; fclose(f); }
    return buf;
}

int orchd_start(struct orchd_proc *o)
{
    memset(o, 0, sizeof *o);
    snprintf(o->dir, sizeof o->dir, "/tmp/mult-orchd-XXXXXX");
    if (!mkdtemp(o->dir)) return -1;
    o->node_port = orchd_free_port();
    o->http_port = orchd_free_port();
    if (o->node_port < 0 || o->http_port < 0 || o->node_port == o->http_port) { remove_dir(o->dir); return -1; }
    char db[96], log[96], listen[64], http[16];
    snprintf(db, sizeof db, "%s/orchd.db", o->dir);
    snprintf(log, sizeof log, "%s/orchd.log", o->dir);
    snprintf(listen, sizeof listen, "tcp://127.0.0.1:%d", o->node_port);
    snprintf(http, sizeof http, "%d", o->http_port);
    const char *orchd = bin("MULT_ORCHD", "build/bin/orchd");
    o->pid = fork();
    if (o->pid < 0) { remove_dir(o->dir); return -1; }
    if (o->pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGTERM);          /* never outlive the test */
        int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (fd >= 0) { dup2(fd, 1); dup2(fd, 2); close(fd); }
        execl(orchd, orchd, "--db", db, "--listen", listen, "--http", http, "--hb-ms", "200", (char *)NULL);
        _exit(127);
    }
    for (int i = 0; i < 50; i++) {          /* up when its HTTP API answers */
        int status;
        char *out = orchd_sipctl(o, "get nodes", &status);
        free(out);
        if (status == 0) return 0;
        if (waitpid(o->pid, &status, WNOHANG) == o->pid) { o->pid = 0; orchd_stop(o); return -1; }
        struct timespec ts = { 0, 100 * 1000 * 1000 };
        nanosleep(&ts, NULL);
    }
    orchd_stop(o);
    return -1;
}

void orchd_stop(struct orchd_proc *o)
{
    orchd_stop_pid(o->pid);
    o->pid = 0;
    if (o->dir[0]) { remove_dir(o->dir); o->dir[0] = 0; }
}

char *orchd_sipctl(struct orchd_proc *o, const char *args, int *status)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "%s -s http://127.0.0.1:%d %s 2>&1", bin("MULT_SIPCTL", "build/bin/sipctl"),
             o->http_port, args);
    FILE *p = popen(cmd, "r");
    char *out = calloc(1, 65536);
    if (!p) { *status = -1; return out; }
    size_t n = 0, got;
    while (n < 65535 && (got = fread(out + n, 1, 65535 - n, p)) > 0) n += got;
    int rc = pclose(p);
    *status = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
    return out;
}

const char *orchd_write_file(struct orchd_proc *o, const char *name, const char *text)
{
    static char path[128];
    snprintf(path, sizeof path, "%s/%s", o->dir, name);
    FILE *f = fopen(path, "w");
    if (!f) return NULL;
    fputs(text, f);
    fclose(f);
    return path;
}
