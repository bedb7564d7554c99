/* Process, port and HTTP helpers for the orchestrator tests (see procs.h). */
#include "tests/orchestrator/procs.h"
#include <curl/curl.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char dir[64];
static pid_t pids[64];
static int npids;

const char *tp_tmpdir(void)
{
    if (!dir[0]) {
        snprintf(dir, sizeof dir, "/tmp/orch-test-XXXXXX");
        if (!mkdtemp(dir))
            dir[0] = 0;
    }
    return dir;
}

void tp_cleanup(void)
{
    tp_kill_all();
    if (dir[0] && !strncmp(dir, "/tmp/orch-test-", 15)) {
        char cmd[128];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
        if (system(cmd))
            fprintf(stderr, "could not remove %s\n", dir);
    }
    dir[0] = 0;
}

pid_t tp_spawn(const char *name, char *const argv[])
{
    char out[128], err[128];
    snprintf(out, sizeof out, "%s/%s.out", tp_tmpdir(), name);
    snprintf(err, sizeof err, "%s/%s.err", tp_tmpdir(), name);
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        int o = open(out, O_WRONLY | O_CREAT | O_APPEND, 0644);
        int e = open(err, O_WRONLY | O_CREAT | O_APPEND, 0644);
        if (o >= 0) dup2(o, 1);
        if (e >= 0) dup2(e, 2);
        execv(argv[0], argv);
        _exit(127);
    }
    if (pid > 0 && npids < (int)(sizeof pids / sizeof *pids))
        pids[npids++] = pid;
    return pid;
}

void tp_kill(pid_t pid, int sig)
{
    int i = 0;
    while (i < npids && pids[i] != pid)
        i++;
    if (i == npids || pid <= 0)
        return;
    kill(pid, sig);
    for (int t = 0; t < 200; t++) {
        if (waitpid(pid, NULL, WNOHANG) == pid)
            goto reaped;
        usleep(10000);
    }
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
reaped:
    pids[i] = pids[--npids];
}

void tp_kill_all(void)
{
    while (npids)
        tp_kill(pids[npids - 1], SIGTERM);
}

int tp_free_port(void)
{
    for (int tries = 0; tries < 50; tries++) {
        int s = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in sa = { .sin_family = AF_INET };
        sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t len = sizeof sa;
        if (bind(s, (struct sockaddr *)&sa, sizeof sa) || getsockname(s, (struct sockaddr *)&sa, &len)) {
            close(s);
            continue;
        }
        close(s);
        return ntohs(sa.sin_port);
    }
    return 0;
}

typedef struct buf { char *p; size_t n; } buf;

static size_t collect(char *d, size_t sz, size_t n, void *arg)
{
    buf *b = arg;
    b->p = realloc(b->p, b->n + sz * n + 1);
    memcpy(b->p + b->n, d, sz * n);
    b->n += sz * n;
    b->p[b->n] = 0;
    return sz * n;
}

char *tp_get_text(int port, const char *path)
{
    char url[512];
    snprintf(url, sizeof url, "http://127.0.0.1:%d%s", port, path);
    CURL *c = curl_easy_init();
    buf b = { 0 };
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 5L);
    curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
    if (curl_easy_perform(c) != CURLE_OK) {
        free(b.p);
        b.p = NULL;
    }
    curl_easy_cleanup(c);
    return b.p;
}

json_t *tp_get_json(int port, const char *path)
{
    char *t = tp_get_text(port, path);
    json_t *j = t ? json_loads(t, 0, NULL) : NULL;
    free(t);
    return j;
}

int tp_run(const char *cmd, char **out)
{
    fflush(NULL);
    FILE *p = popen(cmd, "r");
    if (!p)
        return -1;
    buf b = { 0 };
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, p)) > 0)
        collect(chunk, 1, n, &b);
    int st = pclose(p);
    if (out)
        *out = b.p ? b.p : strdup("");
    else
        free(b.p);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

char *tp_read(const char *name)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", tp_tmpdir(), name);
    FILE *f = fopen(path, "rb");
    buf b = { 0 };
    if (f) {
        char chunk[4096];
        size_t n;
        while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
            collect(chunk, 1, n, &b);
        fclose(f);
    }
    return b.p ? b.p : strdup("");
}

long long tp_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
