/* Pipe ping-pong baseline (see pipe_pingpong.h). The child is reaped before returning,
 * whatever happens. */
#include "bench/ipc/pipe_pingpong.h"
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

uint64_t bench_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

double pipe_pingpong_ns(uint64_t n)
{
    int to_child[2], to_parent[2];
    if (pipe(to_child) || pipe(to_parent))
        return -1;
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        char c;
        close(to_child[1]);
        close(to_parent[0]);
        while (read(to_child[0], &c, 1) == 1)
            if (write(to_parent[1], &c, 1) != 1)
                break;
        _exit(0);
    }
    close(to_child[0]);
    close(to_parent[1]);
    char c = 'x';
    double result = -1;
    uint64_t t0 = bench_now_ns(), i;
    for (i = 0; i < n; i++)
        if (write(to_child[1], &c, 1) != 1 || read(to_parent[0], &c, 1) != 1)
            break;
    uint64_t t1 = bench_now_ns();
    if (i == n)
        result = (double)(t1 - t0) / (double)n;
    close(to_child[1]);                   /* the child sees EOF and exits */
    close(to_parent[0]);
    int status;
    if (waitpid(pid, &status, 0) != pid) {
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
    }
    return result;
}
