/* orchd: the Multiplicity orchestrator daemon.
 *
 *   orchd [--db FILE] [--listen tcp://127.0.0.1:7700] [--http PORT] [--dead-ms N]
 *         [--hb-ms N] [--join-token T] [--fault-drop-creates N]
 *
 * Nodes connect to --listen (ZeroMQ ROUTER, orch.proto); sipctl talks to the HTTP API on
 * 127.0.0.1:PORT (default 7780). State lives in the SQLite file --db (default
 * orchd.db); on start the daemon reloads it and reconciles with what nodes report.
 * --fault-drop-creates N (tests) loses the first N SIP creates as a broken link would.
 * SIGTERM or SIGINT stop it cleanly. */
#include "orchestrator/orchd.h"
#include "orchestrator/orchd_boot.h"
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#define TICK_MS 100

static volatile sig_atomic_t stop_requested;
static void on_signal(int sig) { (void)sig; stop_requested = 1; }

static void usage_to(FILE *out, int status)
{
    fprintf(out, "usage: orchd [--db FILE] [--listen tcp://127.0.0.1:PORT] [--http PORT]\n"
                 "             [--dead-ms N] [--hb-ms N] [--join-token T] [--fault-drop-creates N]\n%s",
            orchd_boot_usage);
    if (status == 0)
        fprintf(out, "Defaults: --db orchd.db --listen tcp://127.0.0.1:7700 --http 7780 --dead-ms 3000\n"
                     "--hb-ms 500. Runs in the foreground; docs/orchestrator.md.\n");
    exit(status);
}

static void usage(void) { usage_to(stderr, 2); }

static long num_arg(const char *opt, const char *v, long min, long max)
{
    char *end;
    long n = strtol(v, &end, 10);
    if (*end || n < min || n > max) {
        fprintf(stderr, "orchd: %s: '%s' is not a number in %ld..%ld\n", opt, v, min, max);
        exit(2);
    }
    return n;
}

/* Nodes the store knows as ready get dead_ms from now to show up again. */
static void adopt_nodes(orchd *o)
{
    json_t *rows = store_query(o->st, "SELECT id, boot_id FROM nodes WHERE state = 'ready'");
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row) {
        orch_conn *c = orch_conn_add(o, json_string_value(json_object_get(row, "id")));
        c->live = 1;
        c->last_seen_ms = store_now_ms();
        c->boot_id = (uint64_t)json_integer_value(json_object_get(row, "boot_id"));
    }
    if (json_array_size(rows))
        store_event(o->st, "orchd", "orchd", "restarted: waiting for %lld known nodes", (long long)json_array_size(rows));
    json_decref(rows);
}

int main(int argc, char **argv)
{
    const char *db = "orchd.db", *listen = "tcp://127.0.0.1:7700";
    unsigned http = 7780;
    orchd o = { .dead_ms = 3000, .hb_ms = 500 };
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
            usage_to(stdout, 0);
        if (i + 1 >= argc)
            usage();
        if (!strcmp(argv[i], "--db")) db = argv[++i];
        else if (!strcmp(argv[i], "--listen")) listen = argv[++i];
        else if (!strcmp(argv[i], "--http")) http = (unsigned)num_arg("--http", argv[++i], 1, 65535);
        else if (!strcmp(argv[i], "--dead-ms")) o.dead_ms = (uint32_t)num_arg("--dead-ms", argv[++i], 100, 3600000);
        else if (!strcmp(argv[i], "--hb-ms")) o.hb_ms = (uint32_t)num_arg("--hb-ms", argv[++i], 10, 60000);
        else if (!strcmp(argv[i], "--join-token")) o.join_token = argv[++i];
        else if (!strcmp(argv[i], "--fault-drop-creates"))
            o.fault_drop_creates = (uint32_t)num_arg("--fault-drop-creates", argv[++i], 0, 1000);
        else if (orchd_boot_option(argv[i], argv[i + 1])) i++;     /* orchd_boot.h */
        else usage();
    }
    char err[512];
    o.st = store_open(db, err, sizeof err);
    if (!o.st) {
        fprintf(stderr, "orchd: %s\n", err);
        return 1;
    }
    pthread_mutex_init(&o.lock, NULL);
    o.started_ms = store_now_ms();
    adopt_nodes(&o);
    orch_migrate_init(&o);
    o.zctx = zmq_ctx_new();
    o.router = zmq_socket(o.zctx, ZMQ_ROUTER);
    int linger = 0;
    zmq_setsockopt(o.router, ZMQ_LINGER, &linger, sizeof linger);
    if (zmq_bind(o.router, listen)) {
        fprintf(stderr, "orchd: cannot listen on %s: %s\n", listen, zmq_strerror(zmq_errno()));
        return 1;
    }
    void *httpd = orch_http_start(&o, http, err, sizeof err);
    if (!httpd) {
        fprintf(stderr, "orchd: %s\n", err);
        return 1;
    }
    if (orchd_boot_start(listen, o.join_token, err, sizeof err)) {
        fprintf(stderr, "orchd: %s\n", err);
        return 1;
    }
    signal(SIGTERM, on_signal);
    signal(SIGINT, on_signal);
    signal(SIGPIPE, SIG_IGN);
    fprintf(stderr, "orchd: nodes on %s, HTTP on http://127.0.0.1:%u/, state in %s\n", listen, http, db);

    uint64_t next_tick = 0;
    while (!stop_requested) {
        zmq_pollitem_t it = { o.router, 0, ZMQ_POLLIN, 0 };
        zmq_poll(&it, 1, 10);
        pthread_mutex_lock(&o.lock);
        for (int n = 0; n < 256; n++) {
            zmq_msg_t id, body;
            zmq_msg_init(&id);
            if (zmq_msg_recv(&id, o.router, ZMQ_DONTWAIT) < 0) {
                zmq_msg_close(&id);
                break;
            }
            zmq_msg_init(&body);
            int more = zmq_msg_more(&id);
            if (more && zmq_msg_recv(&body, o.router, 0) >= 0)
                orch_handle_frame(&o, zmq_msg_data(&id), zmq_msg_size(&id), zmq_msg_data(&body), zmq_msg_size(&body));
            while (zmq_msg_more(&body)) {       /* extra parts: not ours, drain */
                zmq_msg_close(&body);
                zmq_msg_init(&body);
                zmq_msg_recv(&body, o.router, 0);
            }
            zmq_msg_close(&body);
            zmq_msg_close(&id);
        }
        uint64_t now = store_now_ms();
        if (now >= next_tick || o.kick) {
            o.kick = 0;
            orch_reconcile(&o);
            orch_migrate_tick(&o);
            next_tick = now + TICK_MS;
        }
        pthread_mutex_unlock(&o.lock);
    }
    fprintf(stderr, "orchd: stopping\n");
    orchd_boot_stop();
    orch_http_stop(httpd);
    zmq_close(o.router);
    zmq_ctx_term(o.zctx);
    store_close(o.st);
    free(o.conns);
    return 0;
}
