/* orch_standin.h: a scripted stand-in for the orchestrator's node link, for tests that
 * boot the metal kernel: a libzmq ROUTER on 127.0.0.1 (ephemeral port, served by a
 * thread) speaking orch.proto. It accepts (or, on a token mismatch, refuses) a
 * Register, counts heartbeats, and after the first heartbeat sends a SipCreate for
 * each configured SIP, serves the modules the node fetches by hash (in chunks if
 * asked), stops a SIP once it is created if asked, and records every report and log. */
#ifndef TESTS_METAL_ORCH_STANDIN_H
#define TESTS_METAL_ORCH_STANDIN_H
#include <pthread.h>
#include <stdint.h>

#define STANDIN_MAX_SIPS 8

struct standin_sip {
    /* configuration */
    const char *id, *name;
    const char *module;             /* file served under its SHA-256; NULL = an unknown hash */
    const char *args[4];
    unsigned chunk;                 /* serve the module in chunks of this size (0: whole) */
    uint64_t channel;               /* one binding if nonzero: */
    int imp;                        /*   the importing side? */
    const char *bind_name, *contract, *peer_node;   /* peer_node NULL = the node itself */
    int stop_when_created;          /* send SipStop once it reports CREATED */
    /* observed */
    int state, exit_code, reports, create_answered;
    int ended;                      /* copies that reached a final state */
    char error[256];
    char log[2048];
    uint8_t hash[32];
};

struct orch_standin {
    void *ctx, *sock;
    int port;
    pthread_t thread;
    volatile int stop;
    pthread_mutex_t lock;
    const char *token;              /* expected join token (NULL: any) */
    int want_port;                  /* bind this port (0: an ephemeral one) */
    int fuzz_frames;                /* before the creates: this many random and truncated frames */
    int copies;                     /* create each SIP this many times (ids get "#N"); 0 = 1 */
    struct standin_sip sips[STANDIN_MAX_SIPS];
    int nsips;
    /* observed */
    int registers, refused, heartbeats, heartbeat_sips, fetches, bad_frames, logs;
    char identity[64], mac[32], platform[16], address[64], labels[128], node_id[64];
    uint64_t memory;
    uint64_t mem_first, mem_last;   /* memory_used_bytes of the first and the last heartbeat */
    int64_t skew_ms;                /* node's changed_at_ms minus our clock, last final report */
    char register_sips[256];        /* "id=state;" for the SIPs the last Register listed */
    int finished;                   /* every SIP reached a final state */
};

/* Fill `sips`/`nsips`/`token` after zeroing the struct, then start. */
int  orch_standin_start(struct orch_standin *o);
void orch_standin_stop(struct orch_standin *o);
/* Waits until every SIP is in a final state or timeout_s passes; 1 if finished. */
int  orch_standin_wait(struct orch_standin *o, int timeout_s);
/* Waits until cond(o) holds (checked under the lock) or timeout_s passes; 1 if it held. */
int  orch_standin_wait_for(struct orch_standin *o, int (*cond)(const struct orch_standin *), int timeout_s);
#endif
