/* libFuzzer target for zmtp_feed: the input is what a peer sends. The first byte picks
 * our socket type, the chunk size the bytes arrive in, and whether a valid greeting and
 * READY are put in front (so that the fuzzer spends its time in the frame and command
 * parser). Any crash, leak, or sanitizer report is a bug. Build: see tests/zmtp/build.mk. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "netchan/zmtp/zmtp.h"

static const uint8_t valid_prefix[] = {
    /* greeting: signature, 3.1, NULL, client */
    0xFF, 0, 0, 0, 0, 0, 0, 0, 1, 0x7F, 3, 1, 'N', 'U', 'L', 'L', 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    /* READY Socket-Type=DEALER Identity=f */
    0x04, 42, 5, 'R', 'E', 'A', 'D', 'Y',
    11, 'S', 'o', 'c', 'k', 'e', 't', '-', 'T', 'y', 'p', 'e', 0, 0, 0, 6,
    'D', 'E', 'A', 'L', 'E', 'R',
    8, 'I', 'd', 'e', 'n', 't', 'i', 't', 'y', 0, 0, 0, 1, 'f',
};

static void drain(zmtp_conn *c)
{
    zmtp_event ev;
    while (zmtp_next_event(c, &ev)) {
        if (ev.type == ZMTP_EV_MESSAGE) {
            size_t total = 0;
            for (size_t i = 0; i < ev.msg.nframes; i++)   /* touch every byte */
                for (size_t k = 0; k < ev.msg.frames[i].len; k++)
                    total += ev.msg.frames[i].data[k];
            (void)total;
            zmtp_msg_free(&ev.msg);
        } else if (ev.type == ZMTP_EV_ERROR) {
            if (!ev.reason || !ev.reason[0])
                abort();                       /* every error must say why */
        }
    }
}

static void feed(zmtp_conn *c, const uint8_t *p, size_t n, size_t chunk)
{
    size_t off = 0;
    while (off < n) {
        size_t k = n - off < chunk ? n - off : chunk;
        size_t used = zmtp_feed(c, p + off, k);
        if (used > k)
            abort();
        off += used;
        drain(c);
    }
}

/* Once at start: the built-in prefix must really complete a handshake, or the fuzzer
 * would silently test only the refusal path. */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    zmtp_config cfg = { .type = ZMTP_DEALER };
    zmtp_conn *c = zmtp_conn_new(&cfg);
    zmtp_feed(c, valid_prefix, sizeof valid_prefix);
    bool ready = zmtp_is_ready(c);
    drain(c);
    zmtp_conn_free(c);
    if (!ready)
        abort();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    uint8_t ctl = data[0];
    static const zmtp_socket_type types[] = { ZMTP_DEALER, ZMTP_ROUTER, ZMTP_REQ, ZMTP_REP };
    zmtp_config cfg = { .type = types[ctl & 3], .max_msg_size = 1 << 16, .max_frames = 64,
                        .heartbeat_ivl_ms = 10, .heartbeat_timeout_ms = 1000 };
    zmtp_conn *c = zmtp_conn_new(&cfg);
    if (!c)
        return 0;
    size_t chunk = ((ctl >> 2) & 0x1F) + 1;
    if (ctl & 0x80) {
        if (cfg.type == ZMTP_REQ) {
            /* DEALER is a fine peer for REP but not REQ: keep the prefix valid */
            cfg.type = ZMTP_ROUTER;
            zmtp_conn_free(c);
            c = zmtp_conn_new(&cfg);
        }
        feed(c, valid_prefix, sizeof valid_prefix, chunk);
    }
    zmtp_tick(c, 0);
    feed(c, data + 1, size - 1, chunk);
    zmtp_tick(c, 20);
    zmtp_iov f = { "reply", 5 };
    zmtp_send(c, &f, 1);
    zmtp_send_ping(c, "p", 1);
    const uint8_t *out;
    size_t n;
    zmtp_output(c, &out, &n);
    zmtp_consumed(c, n / 2);
    drain(c);
    zmtp_conn_free(c);
    return 0;
}
