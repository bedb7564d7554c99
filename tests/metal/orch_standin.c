/* orch_standin.c: the scripted orchestrator stand-in (see orch_standin.h). Its replies
 * follow the orchestrator's node link: RegisterAck with node_id = identity, module data
 * sent from the requested offset, SipCreate with request ids, SipStop with a reason. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>
#include "netchan/proto/orch.pb-c.h"
#include "tests/metal/orch_standin.h"

#define STANDIN_LIFETIME_MS 240000
#define HEARTBEAT_MS 200

/* SHA-256 from the engine library (sips/engine/sha256.c), as module hashes are. */
void wasm_sha256(const uint8_t *data, size_t len, uint8_t out[32]);

static uint8_t *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    uint8_t *buf = NULL;
    size_t n = 0, cap = 0, got;
    do {
        if (n + 4096 > cap) { cap = (n + 4096) * 2; buf = realloc(buf, cap); }
        got = fread(buf + n, 1, 4096, f);
        n += got;
    } while (got);
    fclose(f);
    *len = n;
    return buf;
}

static void send_to(struct orch_standin *o, const void *ident, size_t identlen, Orch__OrchToNode *msg)
{
    size_t len = orch__orch_to_node__get_packed_size(msg);
    uint8_t *buf = malloc(len + 1);
    orch__orch_to_node__pack(msg, buf);
    zmq_send(o->sock, ident, identlen, ZMQ_SNDMORE);
    zmq_send(o->sock, buf, len, 0);
    free(buf);
}

static void send_create(struct orch_standin *o, const void *ident, size_t identlen, struct standin_sip *s,
                        uint64_t rid, int copy)
{
    Orch__SipCreate c = ORCH__SIP_CREATE__INIT;
    char id[160];
    if (copy) snprintf(id, sizeof id, "%s#%d", s->id, copy);
    else snprintf(id, sizeof id, "%s", s->id);
    c.sip_id = id;
    c.app = "test";
    c.name = (char *)s->name;
    c.module_hash.data = s->hash;
    c.module_hash.len = 32;
    c.start = 1;
    char *args[4];
    while (c.n_args < 4 && s->args[c.n_args]) { args[c.n_args] = (char *)s->args[c.n_args]; c.n_args++; }
    c.args = args;
    Orch__EndpointBinding b = ORCH__ENDPOINT_BINDING__INIT, *bp = &b;
    Netchan__EndRef end = NETCHAN__END_REF__INIT;
    Netchan__Location peer = NETCHAN__LOCATION__INIT;
    if (s->channel) {
        end.channel_id = s->channel;
        end.side = s->imp ? NETCHAN__SIDE__SIDE_IMP : NETCHAN__SIDE__SIDE_EXP;
        peer.node_id = (char *)(s->peer_node ? s->peer_node : o->node_id);
        peer.address = s->peer_node ? "tcp://10.0.2.2:1" : "tcp://10.0.2.15:5600";   /* a remote peer nobody serves */
        peer.epoch = 1;
        b.name = (char *)s->bind_name;
        b.contract_name = (char *)s->contract;
        b.end = &end;
        b.peer = &peer;
        c.bindings = &bp;
        c.n_bindings = 1;
    }
    Orch__OrchToNode msg = ORCH__ORCH_TO_NODE__INIT;
    msg.request_id = rid;
    msg.body_case = ORCH__ORCH_TO_NODE__BODY_SIP_CREATE;
    msg.sip_create = &c;
    send_to(o, ident, identlen, &msg);
}

static void serve_module(struct orch_standin *o, const void *ident, size_t identlen, const Orch__ModuleFetch *f)
{
    o->fetches++;
    Orch__ModuleData d = ORCH__MODULE_DATA__INIT;
    d.hash = f->hash;
    uint8_t *data = NULL;
    size_t len = 0;
    unsigned chunk = 0;
    for (int i = 0; i < o->nsips; i++)
        if (o->sips[i].module && f->hash.len == 32 && !memcmp(o->sips[i].hash, f->hash.data, 32)) {
            data = read_file(o->sips[i].module, &len);
            chunk = o->sips[i].chunk;
            break;
        }
    if (data && f->offset <= len) {
        d.found = 1;
        d.offset = f->offset;
        d.total_size = len;
        d.data.data = data + f->offset;
        d.data.len = len - f->offset;
        if (chunk && d.data.len > chunk) d.data.len = chunk;
    }
    Orch__OrchToNode msg = ORCH__ORCH_TO_NODE__INIT;
    msg.body_case = ORCH__ORCH_TO_NODE__BODY_MODULE_DATA;
    msg.module_data = &d;
    send_to(o, ident, identlen, &msg);
    free(data);
}

/* The SIP an id names: its configured id, or a copy of it ("ID#N"). */
static struct standin_sip *find(struct orch_standin *o, const char *id)
{
    for (int i = 0; i < o->nsips; i++) {
        size_t n = strlen(o->sips[i].id);
        if (!strncmp(o->sips[i].id, id, n) && (id[n] == 0 || id[n] == '#')) return &o->sips[i];
    }
    return NULL;
}

/* Random frames, then every truncation of a valid SipCreate: the node must drop them all
 * (or answer a SipCreate it can still decode) and carry on. */
static void send_fuzz(struct orch_standin *o, const void *ident, size_t identlen)
{
    unsigned seed = 12345;
    uint8_t buf[300];
    for (int i = 0; i < o->fuzz_frames; i++) {
        size_t len = 1 + (size_t)(rand_r(&seed) % sizeof buf);
        for (size_t j = 0; j < len; j++) buf[j] = (uint8_t)rand_r(&seed);
        zmq_send(o->sock, ident, identlen, ZMQ_SNDMORE);
        zmq_send(o->sock, buf, len, 0);
    }
    Orch__SipCreate c = ORCH__SIP_CREATE__INIT;
    c.sip_id = "fuzz/sip/0";
    c.name = "fuzz";
    uint8_t hash[32] = { 1 };
    c.module_hash.data = hash;
    c.module_hash.len = 32;
    Orch__OrchToNode msg = ORCH__ORCH_TO_NODE__INIT;
    msg.request_id = 7;
    msg.body_case = ORCH__ORCH_TO_NODE__BODY_SIP_CREATE;
    msg.sip_create = &c;
    size_t len = orch__orch_to_node__get_packed_size(&msg);
    uint8_t *full = malloc(len);
    orch__orch_to_node__pack(&msg, full);
    for (size_t cut = 1; cut < len; cut++) {
        zmq_send(o->sock, ident, identlen, ZMQ_SNDMORE);
        zmq_send(o->sock, full, cut, 0);
    }
    free(full);
}

static int final_state(int st)
{
    return st == ORCH__SIP_STATE__SIP_EXITED || st == ORCH__SIP_STATE__SIP_TRAPPED ||
           st == ORCH__SIP_STATE__SIP_KILLED || st == ORCH__SIP_STATE__SIP_FAILED;
}

static void handle(struct orch_standin *o, const void *ident, size_t identlen, Orch__NodeToOrch *m, int *created)
{
    static uint64_t next_rid = 100;
    if (m->body_case == ORCH__NODE_TO_ORCH__BODY_REGISTER) {
        const Orch__Register *r = m->register_;
        o->registers++;
        snprintf(o->identity, sizeof o->identity, "%s", r->identity);
        snprintf(o->mac, sizeof o->mac, "%s", r->mac);
        snprintf(o->platform, sizeof o->platform, "%s", r->platform);
        snprintf(o->address, sizeof o->address, "%s", r->netchan_address);
        o->labels[0] = 0;
        for (size_t i = 0; i < r->n_labels; i++) {
            size_t n = strlen(o->labels);
            snprintf(o->labels + n, sizeof o->labels - n, "%s=%s;", r->labels[i]->key, r->labels[i]->value);
        }
        o->memory = r->memory_bytes;
        o->register_sips[0] = 0;
        for (size_t i = 0; i < r->n_sips; i++) {
            size_t n = strlen(o->register_sips);
            snprintf(o->register_sips + n, sizeof o->register_sips - n, "%s=%d;", r->sips[i]->sip_id, r->sips[i]->state);
        }
        Orch__RegisterAck ack = ORCH__REGISTER_ACK__INIT;
        ack.accepted = !o->token || !strcmp(o->token, r->join_token);
        ack.error = ack.accepted ? "" : "bad join token";
        ack.node_id = ack.accepted ? r->identity : "";
        ack.heartbeat_interval_ms = HEARTBEAT_MS;
        ack.node_index = 1;
        if (ack.accepted) snprintf(o->node_id, sizeof o->node_id, "%s", r->identity);
        else o->refused++;
        Orch__OrchToNode msg = ORCH__ORCH_TO_NODE__INIT;
        msg.body_case = ORCH__ORCH_TO_NODE__BODY_REGISTER_ACK;
        msg.register_ack = &ack;
        send_to(o, ident, identlen, &msg);
    } else if (m->body_case == ORCH__NODE_TO_ORCH__BODY_HEARTBEAT) {
        o->heartbeats++;
        if (o->heartbeats == 1) o->mem_first = m->heartbeat->memory_used_bytes;
        o->mem_last = m->heartbeat->memory_used_bytes;
        if (m->heartbeat->n_sips > (size_t)o->heartbeat_sips) o->heartbeat_sips = (int)m->heartbeat->n_sips;
        if (!*created) {
            *created = 1;
            static const char garbage[] = "\x08\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff this is no OrchToNode";
            zmq_send(o->sock, ident, identlen, ZMQ_SNDMORE);
            zmq_send(o->sock, garbage, sizeof garbage - 1, 0);
            if (o->fuzz_frames) send_fuzz(o, ident, identlen);
            for (int i = 0; i < o->nsips; i++)
                for (int k = 0; k < (o->copies ? o->copies : 1); k++)
                    send_create(o, ident, identlen, &o->sips[i], next_rid++, o->copies ? k + 1 : 0);
        }
    } else if (m->body_case == ORCH__NODE_TO_ORCH__BODY_MODULE_FETCH) {
        serve_module(o, ident, identlen, m->module_fetch);
    } else if (m->body_case == ORCH__NODE_TO_ORCH__BODY_SIP_REPORT && m->sip_report->status) {
        const Orch__SipStatus *st = m->sip_report->status;
        struct standin_sip *s = find(o, st->sip_id);
        if (!s) { o->bad_frames++; return; }
        s->reports++;
        if (final_state(st->state)) {
            struct timespec now;
            clock_gettime(CLOCK_REALTIME, &now);
            o->skew_ms = (int64_t)st->changed_at_ms - ((int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000);
        }
        if (m->request_id >= 100) s->create_answered = 1;
        if (final_state(st->state) && o->copies) s->ended++;
        if (!final_state(s->state) || o->copies) {
            s->state = st->state;
            s->exit_code = st->exit_code;
            snprintf(s->error, sizeof s->error, "%s", st->error);
        }
        if (st->state == ORCH__SIP_STATE__SIP_CREATED && s->stop_when_created) {
            Orch__SipStop stop = ORCH__SIP_STOP__INIT;
            stop.sip_id = (char *)s->id;
            stop.reason = "stopped by the test";
            Orch__OrchToNode msg = ORCH__ORCH_TO_NODE__INIT;
            msg.request_id = next_rid++;
            msg.body_case = ORCH__ORCH_TO_NODE__BODY_SIP_STOP;
            msg.sip_stop = &stop;
            send_to(o, ident, identlen, &msg);
        }
    } else if (m->body_case == ORCH__NODE_TO_ORCH__BODY_SIP_LOG) {
        struct standin_sip *s = find(o, m->sip_log->sip_id);
        o->logs++;
        if (s) {
            size_t n = strlen(s->log), k = m->sip_log->data.len;
            if (k > sizeof s->log - 1 - n) k = sizeof s->log - 1 - n;
            memcpy(s->log + n, m->sip_log->data.data, k);
            s->log[n + k] = 0;
        }
    }
}

static void *standin_thread(void *arg)
{
    struct orch_standin *o = arg;
    int created = 0;
    for (int waited = 0; !o->stop && waited < STANDIN_LIFETIME_MS; ) {
        zmq_pollitem_t it = { o->sock, 0, ZMQ_POLLIN, 0 };
        if (zmq_poll(&it, 1, 100) <= 0) { waited += 100; continue; }
        zmq_msg_t id, body;
        zmq_msg_init(&id);
        zmq_msg_init(&body);
        if (zmq_msg_recv(&id, o->sock, 0) >= 0 && zmq_msg_more(&id) && zmq_msg_recv(&body, o->sock, 0) >= 0) {
            Orch__NodeToOrch *m = orch__node_to_orch__unpack(NULL, zmq_msg_size(&body), zmq_msg_data(&body));
            pthread_mutex_lock(&o->lock);
            if (!m) o->bad_frames++;
            else handle(o, zmq_msg_data(&id), zmq_msg_size(&id), m, &created);
            int fin = o->nsips > 0;
            for (int i = 0; i < o->nsips; i++)
                fin &= o->copies ? o->sips[i].ended >= o->copies : final_state(o->sips[i].state);
            o->finished = fin;
            pthread_mutex_unlock(&o->lock);
            if (m) orch__node_to_orch__free_unpacked(m, NULL);
            while (zmq_msg_more(&body)) { o->bad_frames++; if (zmq_msg_recv(&body, o->sock, 0) < 0) break; }
        }
        zmq_msg_close(&id);
        zmq_msg_close(&body);
    }
    return NULL;
}

int orch_standin_start(struct orch_standin *o)
{
    for (int i = 0; i < o->nsips; i++) {
        struct standin_sip *s = &o->sips[i];
        size_t len;
        uint8_t *data = s->module ? read_file(s->module, &len) : NULL;
        if (s->module && !data) { fprintf(stderr, "orch_standin: cannot read %s\n", s->module); return -1; }
        if (data) wasm_sha256(data, len, s->hash);
        else memset(s->hash, 0xab, sizeof s->hash);          /* a module nobody has */
        free(data);
    }
    pthread_mutex_init(&o->lock, NULL);
    o->ctx = zmq_ctx_new();
    if (!o->ctx) return -1;
    o->sock = zmq_socket(o->ctx, ZMQ_ROUTER);
    int linger = 0;
    char endpoint[64], want[64];
    size_t len = sizeof endpoint;
    if (o->want_port) snprintf(want, sizeof want, "tcp://127.0.0.1:%d", o->want_port);
    else snprintf(want, sizeof want, "tcp://127.0.0.1:*");
    if (!o->sock || zmq_setsockopt(o->sock, ZMQ_LINGER, &linger, sizeof linger) ||
        zmq_bind(o->sock, want) ||
        zmq_getsockopt(o->sock, ZMQ_LAST_ENDPOINT, endpoint, &len) ||
        pthread_create(&o->thread, NULL, standin_thread, o)) {
        if (o->sock) zmq_close(o->sock);
        zmq_ctx_term(o->ctx);
        o->ctx = NULL;
        return -1;
    }
    const char *colon = strrchr(endpoint, ':');
    o->port = colon ? atoi(colon + 1) : 0;
    return 0;
}

int orch_standin_wait_for(struct orch_standin *o, int (*cond)(const struct orch_standin *), int timeout_s)
{
    for (int i = 0; i < timeout_s * 10; i++) {
        pthread_mutex_lock(&o->lock);
        int ok = cond(o);
        pthread_mutex_unlock(&o->lock);
        if (ok) return 1;
        struct timespec ts = { 0, 100 * 1000 * 1000 };
        nanosleep(&ts, NULL);
    }
    return 0;
}

static int all_final(const struct orch_standin *o) { return o->finished; }

int orch_standin_wait(struct orch_standin *o, int timeout_s)
{
    return orch_standin_wait_for(o, all_final, timeout_s);
}

void orch_standin_stop(struct orch_standin *o)
{
    if (!o->ctx) return;
    o->stop = 1;
    pthread_join(o->thread, NULL);
    zmq_close(o->sock);
    zmq_ctx_term(o->ctx);
    o->ctx = NULL;
    pthread_mutex_destroy(&o->lock);
}
