/* Benchmark: message throughput over 127.0.0.1 of our ZMTP (POSIX driver) against libzmq,
 * with libzmq talking to itself measured in the same run as the baseline. Each figure
 * moves N messages in batches (send a batch, receive it) so that every variant does the
 * same work and no high-water mark is hit. Each figure is the best of 3 runs (the
 * machine is shared). One result line per figure, with the ratio ours/baseline (higher
 * is better). Usage: zmtp_bench [messages per run, default 50000] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>
#include "netchan/zmtp/zmtp_posix.h"

#define BATCH 500

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void *zctx;

static void *zsock(int type)
{
    void *s = zmq_socket(zctx, type);
    int linger = 0, t = 5000;
    zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt(s, ZMQ_RCVTIMEO, &t, sizeof t);
    return s;
}

static uint16_t zbind(void *s)
{
    char ep[128];
    size_t len = sizeof ep;
    zmq_bind(s, "tcp://127.0.0.1:*");
    zmq_getsockopt(s, ZMQ_LAST_ENDPOINT, ep, &len);
    return (uint16_t)atoi(strrchr(ep, ':') + 1);
}

/* libzmq PUSH -> libzmq PULL: the baseline. Returns messages per second (0 on failure). */
static double zmq_to_zmq(int n, size_t size)
{
    void *pull = zsock(ZMQ_PULL), *push = zsock(ZMQ_PUSH);
    char ep[64];
    snprintf(ep, sizeof ep, "tcp://127.0.0.1:%u", zbind(pull));
    zmq_connect(push, ep);
    char *buf = calloc(1, size);
    zmq_send(push, buf, size, 0);                 /* warm up: connection established */
    zmq_recv(pull, buf, size, 0);
    double t0 = now_s();
    int ok = 1;
    for (int done = 0; done < n && ok; done += BATCH) {
        for (int i = 0; i < BATCH; i++)
            zmq_send(push, buf, size, 0);
        for (int i = 0; i < BATCH && ok; i++)
            ok = zmq_recv(pull, buf, size, 0) == (int)size;
    }
    double dt = now_s() - t0;
    free(buf);
    zmq_close(push);
    zmq_close(pull);
    return ok ? n / dt : 0;
}

/* Our PUSH -> libzmq PULL; batched: queue the batch, then one flush. */
static double ours_to_zmq(int n, size_t size, bool batched)
{
    void *pull = zsock(ZMQ_PULL);
    zmtp_config cfg = { .type = ZMTP_PUSH };
    zmtp_posix *s = zmtp_posix_connect("127.0.0.1", zbind(pull), &cfg);
    if (!s || !zmtp_posix_wait_ready(s, NULL, 5000))
        return 0;
    char *buf = calloc(1, size);
    zmtp_iov f = { buf, size };
    double t0 = now_s();
    int ok = 1;
    for (int done = 0; done < n && ok; done += BATCH) {
        for (int i = 0; i < BATCH; i++)
            (batched ? zmtp_posix_queue : zmtp_posix_send)(s, &f, 1);
        zmtp_posix_flush(s, 5000);
        for (int i = 0; i < BATCH && ok; i++)
            ok = zmq_recv(pull, buf, size, 0) == (int)size;
    }
    double dt = now_s() - t0;
    free(buf);
    zmtp_posix_close(s);
    zmq_close(pull);
    return ok ? n / dt : 0;
}

/* libzmq PUSH -> our PULL. */
static double zmq_to_ours(int n, size_t size)
{
    void *push = zsock(ZMQ_PUSH);
    zmtp_config cfg = { .type = ZMTP_PULL };
    zmtp_posix *s = zmtp_posix_connect("127.0.0.1", zbind(push), &cfg);
    if (!s || !zmtp_posix_wait_ready(s, NULL, 5000))
        return 0;
    char *buf = calloc(1, size);
    double t0 = now_s();
    int ok = 1;
    for (int done = 0; done < n && ok; done += BATCH) {
        for (int i = 0; i < BATCH; i++)
            zmq_send(push, buf, size, 0);
        for (int i = 0; i < BATCH && ok; ) {
            zmtp_event ev;
            if (zmtp_posix_next(s, &ev, 5000) != 1) {
                ok = 0;
                break;
            }
            if (ev.type == ZMTP_EV_MESSAGE) {
                ok = ev.msg.nframes == 1 && ev.msg.frames[0].len == size;
                zmtp_msg_free(&ev.msg);
                i++;
            }
        }
    }
    double dt = now_s() - t0;
    free(buf);
    zmtp_posix_close(s);
    zmq_close(push);
    return ok ? n / dt : 0;
}

#define BEST_OF(expr) ({ double best_ = 0; \
    for (int r_ = 0; r_ < 3; r_++) { double v_ = (expr); if (v_ > best_) best_ = v_; } best_; })

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 50000;
    zctx = zmq_ctx_new();
    static const size_t sizes[] = { 64, 4096 };
    int status = 0;
    for (size_t k = 0; k < 2; k++) {
        size_t size = sizes[k];
        double base = BEST_OF(zmq_to_zmq(n, size));
        double out = BEST_OF(ours_to_zmq(n, size, false));
        double outb = BEST_OF(ours_to_zmq(n, size, true));
        double in = BEST_OF(zmq_to_ours(n, size));
        if (!base || !out || !outb || !in)
            status = 1;
        printf("zmtp_bench: %zu B msgs, our PUSH -> libzmq PULL (write per send): %.0f msg/s; "
               "libzmq -> libzmq: %.0f msg/s; ratio %.2f\n", size, out, base, base ? out / base : 0);
        printf("zmtp_bench: %zu B msgs, our PUSH -> libzmq PULL (queue, flush per batch): %.0f msg/s; "
               "libzmq -> libzmq: %.0f msg/s; ratio %.2f\n", size, outb, base, base ? outb / base : 0);
        printf("zmtp_bench: %zu B msgs, libzmq PUSH -> our PULL: %.0f msg/s; "
               "libzmq -> libzmq: %.0f msg/s; ratio %.2f\n", size, in, base, base ? in / base : 0);
    }
    zmq_ctx_term(zctx);
    return status;
}
