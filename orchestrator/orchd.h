/* orchd: the orchestrator daemon's shared state. One thread runs the node link (a ZeroMQ
 * ROUTER, orch.proto) and the reconcile loop; libmicrohttpd's thread serves the HTTP API.
 * Both take `lock` around every use of the store; only the main thread touches ZeroMQ, so
 * HTTP requests change desired state in the store and the reconcile loop acts on it. */
#ifndef ORCHESTRATOR_ORCHD_H
#define ORCHESTRATOR_ORCHD_H

#include <pthread.h>
#include <stdint.h>
#include <jansson.h>
#include "orchestrator/store.h"

typedef struct orch_conn {            /* a node we can talk to */
    char node_id[64];
    uint8_t ident[256]; size_t identlen;   /* its ROUTER routing id */
    uint64_t last_seen_ms;
    uint64_t boot_id;
    int live;
} orch_conn;

typedef struct orch_metrics {
    uint64_t frames_in, frames_out, bad_frames;
    uint64_t registrations, heartbeats, sips_created, sips_restarted, nodes_died;
    uint64_t rescheduled, applies, apply_errors, http_requests, modules_served;
} orch_metrics;

typedef struct orchd {
    store *st;
    pthread_mutex_t lock;
    void *zctx, *router;
    uint32_t dead_ms, hb_ms;
    const char *join_token;       /* NULL = any node may join */
    orch_conn *conns; uint32_t nconns;
    uint64_t next_request;
    uint64_t started_ms;
    orch_metrics m;
    volatile int stop;
    int kick;                     /* state changed: reconcile now rather than at the tick */
    uint32_t fault_drop_creates;  /* tests: pretend to send this many creates, send nothing */
} orchd;

/* node_link.c: frames from nodes, and sending to them */
void orch_handle_frame(orchd *o, const uint8_t *ident, size_t identlen, const uint8_t *buf, size_t len);
orch_conn *orch_conn_find(orchd *o, const char *node_id);
orch_conn *orch_conn_add(orchd *o, const char *node_id);
int  orch_send_create(orchd *o, json_t *sip);
void orch_send_stop(orchd *o, const char *node_id, const char *sip_id, const char *reason);
void orch_send_start(orchd *o, const char *node_id, const char *sip_id);
struct Orch__OrchToNode;
/* Send msg to a node with a new request id (returned; the node echoes it). */
uint64_t orch_send_conn(orchd *o, orch_conn *c, struct Orch__OrchToNode *msg);

/* migrate.c: `sipctl migrate` (migrations table; the main thread drives them) */
struct Orch__MigrationReport;
void    orch_migrate_init(orchd *o);
json_t *orch_migrate_request(orchd *o, const char *sip, const char *to, int *status);
json_t *orch_migrate_list(orchd *o, const char *id);
void    orch_migrate_tick(orchd *o);
/* A CommandResult: 1 if it answered a migration's MigrateIn. */
int     orch_migrate_on_result(orchd *o, const char *node, uint64_t request_id, int ok, const char *error);
void    orch_migrate_on_report(orchd *o, const char *node, const struct Orch__MigrationReport *r);
/* 1 if sip_id is on its way to node (its reports from there are not misplaced). */
int     orch_migrate_incoming(orchd *o, const char *node, const char *sip_id);

/* reconcile.c: dead nodes, placement, (re)starts, deletions; called every tick */
void orch_reconcile(orchd *o);
/* A SIP reached a final state on its node: record it and apply its restart policy. */
void orch_sip_ended(orchd *o, const char *sip_id, const char *state, int exit_code, const char *error);

/* apply.c: the manifest operations behind the API (called with the lock held) */
json_t *orch_apply(orchd *o, const char *file, const char *text, size_t len, const char *base, int *status);
json_t *orch_delete_app(orchd *o, const char *app, int *status);

/* http_api.c */
void *orch_http_start(orchd *o, unsigned port, char *err, size_t errlen);
void  orch_http_stop(void *daemon);

/* status_page.c: the HTML page at / and the Prometheus text at /metrics (malloc'd) */
char *orch_status_page(orchd *o);
char *orch_metrics_text(orchd *o);

/* SIP states that are over (no restart pending) */
int orch_state_final(const char *state);

#endif
