/* netchan benchmark: two SIPs on two sipnodes over 127.0.0.1 beside raw libzmq between
 * two processes, same message size, same run.
 *
 *   round trip:  rt_client -> echo_server (Echo, one block each way)  vs  REQ/REP
 *   throughput:  stream_src -> stream_sink (Stream, one-way blocks)    vs  PUSH/PULL
 *
 * One line per figure with the ratio (targets: latency <= 1.2x, throughput >= 0.7x).
 * Each figure is the median of ROUNDS (default 5) runs, the two sides interleaved (the
 * machine is shared). Run from the repository root:  build/bench/netchan/netchan_bench [ROUNDS] */
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#define RT_ITERS   5000
#define RT_SIZE    64
#define TP_COUNT   20000
#define TP_SIZE    1024

static int port_base;

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void addr(char *buf, size_t n, int i)
{
    snprintf(buf, n, "tcp://127.0.0.1:%d", port_base + i);
}

/* ---- libzmq baselines (the peer is a forked child) ---- */

static double zmq_req_rep(void)
{
    char a[64];
    addr(a, sizeof a, 0);
    pid_t pid = fork();
    if (pid == 0) {
        void *ctx = zmq_ctx_new(), *rep = zmq_socket(ctx, ZMQ_REP);
        zmq_bind(rep, a);
        char buf[RT_SIZE];
        for (int i = 0; i < RT_ITERS + 200; i++) {
            int n = zmq_recv(rep, buf, sizeof buf, 0);
            zmq_send(rep, buf, n > 0 ? (size_t)n : 0, 0);
        }
        zmq_close(rep);
        zmq_ctx_term(ctx);
        _exit(0);
    }
    void *ctx = zmq_ctx_new(), *req = zmq_socket(ctx, ZMQ_REQ);
    zmq_connect(req, a);
    char buf[RT_SIZE];
    memset(buf, 'x', sizeof buf);
    uint64_t t0 = 0;
    for (int i = 0; i < RT_ITERS + 200; i++) {
        if (i == 200)
            t0 = now_ns();
        zmq_send(req, buf, sizeof buf, 0);
        zmq_recv(req, buf, sizeof buf, 0);
    }
    double per = (double)(now_ns() - t0) / RT_ITERS;
    zmq_close(req);
    zmq_ctx_term(ctx);
    waitpid(pid, NULL, 0);
    return per;
}

/* messages per second, first send to the sink's answer after the last */
static double zmq_push_pull(void)
{
    char a[64], b[64];
    addr(a, sizeof a, 1);
    addr(b, sizeof b, 2);
    pid_t pid = fork();
    if (pid == 0) {
        void *ctx = zmq_ctx_new(), *pull = zmq_socket(ctx, ZMQ_PULL), *done = zmq_socket(ctx, ZMQ_PUSH);
        zmq_bind(pull, a);
        zmq_connect(done, b);
        static char buf[TP_SIZE];
        uint64_t n = 0;
        while (n < TP_COUNT && zmq_recv(pull, buf, sizeof buf, 0) >= 0)
            n++;
        zmq_send(done, &n, sizeof n, 0);
        zmq_close(pull);
        zmq_close(done);
        zmq_ctx_term(ctx);
        _exit(0);
    }
    void *ctx = zmq_ctx_new(), *push = zmq_socket(ctx, ZMQ_PUSH), *done = zmq_socket(ctx, ZMQ_PULL);
    zmq_bind(done, b);
    zmq_connect(push, a);
    static char buf[TP_SIZE];
    memset(buf, 'x', sizeof buf);
    uint64_t n = 0;
    zmq_send(push, buf, 1, ZMQ_SNDMORE);      /* nothing: make sure the link is up first */
    zmq_send(push, buf, 0, 0);
    uint64_t t0 = now_ns();
    for (int i = 1; i < TP_COUNT; i++)
        zmq_send(push, buf, sizeof buf, 0);
    zmq_recv(done, &n, sizeof n, 0);
    double rate = (double)TP_COUNT / ((double)(now_ns() - t0) / 1e9);
    zmq_close(push);
    zmq_close(done);
    zmq_ctx_term(ctx);
    waitpid(pid, NULL, 0);
    return rate;
}

/* ---- netchan: two sipnodes ---- */

static int open_devnull(void)
{
    return open("/dev/null", O_RDWR);
}

static pid_t spawn(char *const *argv, int out_fd)
{
    pid_t pid = fork();
    if (pid == 0) {
        int devnull = open_devnull();
        dup2(out_fd >= 0 ? out_fd : devnull, 1);
        dup2(devnull, 2);
        execv(argv[0], argv);
        _exit(127);
    }
    return pid;
}

/* Start the server node, run the client node, return the number it printed after key. */
static double run_pair(const char *contract, const char *srv_wire, const char *srv_mod,
                       const char *cli_wire, const char *cli_mod, const char *arg1, const char *arg2,
                       const char *key)
{
    char a[64], b[64], peer_a[80], peer_b[80];
    addr(a, sizeof a, 3);
    addr(b, sizeof b, 4);
    snprintf(peer_a, sizeof peer_a, "A=%s", a);
    snprintf(peer_b, sizeof peer_b, "B=%s", b);
    char *srv[] = { "build/bin/sipnode", "-q", "-c", (char *)contract, "--node", "B", "--listen", b,
                    "--peer", peer_a, "--wire", (char *)srv_wire, (char *)srv_mod, NULL };
    char *cli[] = { "build/bin/sipnode", "-q", "-c", (char *)contract, "--node", "A", "--listen", a,
                    "--peer", peer_b, "--wire", (char *)cli_wire, (char *)cli_mod, (char *)arg1,
                    (char *)arg2, NULL };
    int fds[2];
    if (pipe(fds))
        return -1;
    pid_t ps = spawn(srv, -1);
    pid_t pc = spawn(cli, fds[1]);
    close(fds[1]);
    char out[4096];
    size_t n = 0;
    ssize_t got;
    while (n < sizeof out - 1 && (got = read(fds[0], out + n, sizeof out - 1 - n)) > 0)
        n += (size_t)got;
    out[n] = 0;
    close(fds[0]);
    int st;
    waitpid(pc, &st, 0);
    /* the server ends when the client's close reaches it; don't wait forever */
    for (int i = 0; i < 500 && waitpid(ps, &st, WNOHANG) == 0; i++)
        usleep(10000);
    if (waitpid(ps, &st, WNOHANG) == 0) {
        kill(ps, SIGKILL);
        waitpid(ps, &st, 0);
    }
    char *k = strstr(out, key);
    return k ? strtod(k + strlen(key), NULL) : -1;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int main(int argc, char **argv)
{
    int rounds = argc > 1 ? atoi(argv[1]) : 5;
    if (rounds < 1 || rounds > 50)
        rounds = 5;
    port_base = 24000 + (getpid() % 2000) * 8;
    char iters[16], size[16], count[16], tsize[16];
    snprintf(iters, sizeof iters, "%d", RT_ITERS);
    snprintf(size, sizeof size, "%d", RT_SIZE);
    snprintf(count, sizeof count, "%d", TP_COUNT);
    snprintf(tsize, sizeof tsize, "%d", TP_SIZE);
    double nc_rt[50], z_rt[50], nc_tp[50], z_tp[50];
    /* the two sides of each figure run back to back, round after round, so that the
     * (shared, busy) machine's load changes hit both; the medians are reported */
    for (int r = 0; r < rounds; r++) {
        z_rt[r] = zmq_req_rep();
        nc_rt[r] = run_pair("contracts/lib/echo.contract", "Echo:1:exp:echo_server.clients@A",
                            "build/sips/echo_server.wasm", "Echo:1:imp:rt_client.server@B",
                            "build/sips/bench/netchan/sips/rt_client.wasm", iters, size, "rt_ns=");
        z_tp[r] = zmq_push_pull();
        double ns = run_pair("bench/netchan/stream.contract", "Stream:2:exp:stream_sink.in@A",
                             "build/sips/bench/netchan/sips/stream_sink.wasm", "Stream:2:imp:stream_src.out@B",
                             "build/sips/bench/netchan/sips/stream_src.wasm", count, tsize, "stream_ns=");
        nc_tp[r] = ns > 0 ? TP_COUNT / (ns / 1e9) : -1;
        if (nc_rt[r] <= 0 || nc_tp[r] <= 0) {
            fprintf(stderr, "netchan_bench: a sipnode run failed (run from the repository root)\n");
            return 1;
        }
    }
    double nrt = median(nc_rt, rounds), zrt = median(z_rt, rounds);
    double ntp = median(nc_tp, rounds), ztp = median(z_tp, rounds);
    printf("netchan round trip (%d B block, SIP to SIP over 2 sipnodes, median of %d): %.1f us; "
           "libzmq REQ/REP %.1f us; ratio %.2f (target <= 1.2)\n", RT_SIZE, rounds, nrt / 1e3,
           zrt / 1e3, nrt / zrt);
    printf("netchan throughput (%d B blocks, SIP to SIP over 2 sipnodes, median of %d): %.0f msg/s; "
           "libzmq PUSH/PULL %.0f msg/s; ratio %.2f (target >= 0.7)\n", TP_SIZE, rounds, ntp, ztp,
           ntp / ztp);
    return 0;
}
