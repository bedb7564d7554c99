/* orchd's side of orch.proto: registration, heartbeats, SIP reports and logs, module
 * fetches; and the commands it sends (create, stop). Node reports are reconciled with
 * the store here: a SIP a node runs that the store does not place there is stopped, a
 * create the node never saw is sent again. */
#include "orchestrator/orchd.h"
#include "orchestrator/sha256.h"
#include "netchan/proto/orch.pb-c.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#define RESEND_CREATE_MS 3000
#define MODULE_CHUNK     (64u << 10)    /* ModuleData bytes per message; nodes ask for the rest */

static const char *state_name(Orch__SipState s)
{
    switch (s) {
    case ORCH__SIP_STATE__SIP_CREATED:   return "created";
    case ORCH__SIP_STATE__SIP_RUNNING:   return "running";
    case ORCH__SIP_STATE__SIP_BLOCKED:   return "blocked";
    case ORCH__SIP_STATE__SIP_EXITED:    return "exited";
    case ORCH__SIP_STATE__SIP_TRAPPED:   return "trapped";
    case ORCH__SIP_STATE__SIP_KILLED:    return "killed";
    case ORCH__SIP_STATE__SIP_MIGRATING: return "migrating";
    case ORCH__SIP_STATE__SIP_FAILED:    return "failed";
    default:                             return "unknown";
    }
}

orch_conn *orch_conn_find(orchd *o, const char *node_id)
{
    for (uint32_t i = 0; i < o->nconns; i++)
        if (!strcmp(o->conns[i].node_id, node_id))
            return &o->conns[i];
    return NULL;
}

orch_conn *orch_conn_add(orchd *o, const char *node_id)
{
    orch_conn *c = orch_conn_find(o, node_id);
    if (c)
        return c;
    o->conns = realloc(o->conns, (o->nconns + 1) * sizeof *o->conns);
    c = &o->conns[o->nconns++];
    memset(c, 0, sizeof *c);
    snprintf(c->node_id, sizeof c->node_id, "%s", node_id);
    return c;
}

static void send_to(orchd *o, const uint8_t *ident, size_t identlen, Orch__OrchToNode *msg)
{
    size_t len = orch__orch_to_node__get_packed_size(msg);
    uint8_t *buf = malloc(len + 1);
    orch__orch_to_node__pack(msg, buf);
    if (zmq_send(o->router, ident, identlen, ZMQ_SNDMORE | ZMQ_DONTWAIT) >= 0 &&
        zmq_send(o->router, buf, len, ZMQ_DONTWAIT) >= 0)
        o->m.frames_out++;
    free(buf);
}

static void send_conn(orchd *o, orch_conn *c, Orch__OrchToNode *msg)
{
    msg->request_id = ++o->next_request;
    send_to(o, c->ident, c->identlen, msg);
}

uint64_t orch_send_conn(orchd *o, orch_conn *c, Orch__OrchToNode *msg)
{
    send_conn(o, c, msg);
    return msg->request_id;
}

static void send_ack(orchd *o, const uint8_t *ident, size_t identlen, int ok, const char *error,
                     const char *node_id, uint32_t index)
{
    Orch__RegisterAck ack = ORCH__REGISTER_ACK__INIT;
    ack.accepted = ok;
    ack.error = (char *)(error ? error : "");
    ack.node_id = (char *)(node_id ? node_id : "");
    ack.heartbeat_interval_ms = o->hb_ms;
    ack.node_index = index;
    Orch__OrchToNode msg = ORCH__ORCH_TO_NODE__INIT;
    msg.body_case = ORCH__ORCH_TO_NODE__BODY_REGISTER_ACK;
    msg.register_ack = &ack;
    send_to(o, ident, identlen, &msg);
}

void orch_send_start(orchd *o, const char *node_id, const char *sip_id)
{
    orch_conn *c = orch_conn_find(o, node_id);
    if (!c || !c->live)
        return;
    Orch__SipStart start = ORCH__SIP_START__INIT;
    start.sip_id = (char *)sip_id;
    Orch__OrchToNode msg = ORCH__ORCH_TO_NODE__INIT;
    msg.body_case = ORCH__ORCH_TO_NODE__BODY_SIP_START;
    msg.sip_start = &start;
    send_conn(o, c, &msg);
}

void orch_send_stop(orchd *o, const char *node_id, const char *sip_id, const char *reason)
{
    orch_conn *c = orch_conn_find(o, node_id);
    if (!c || !c->live)
        return;
    Orch__SipStop stop = ORCH__SIP_STOP__INIT;
    stop.sip_id = (char *)sip_id;
    stop.reason = (char *)reason;
    Orch__OrchToNode msg = ORCH__ORCH_TO_NODE__INIT;
    msg.body_case = ORCH__ORCH_TO_NODE__BODY_SIP_STOP;
    msg.sip_stop = &stop;
    send_conn(o, c, &msg);
}

static const char *jstr(json_t *obj, const char *key)
{
    const char *s = json_string_value(json_object_get(obj, key));
    return s ? s : "";
}

/* Bindings for the channels this SIP takes part in; -1 if a peer is not placed yet. */
static int make_bindings(orchd *o, json_t *sip, Orch__SipCreate *c, json_t **keep)
{
    const char *app = jstr(sip, "app"), *name = jstr(sip, "name");
    json_t *chans = store_query(o->st,
        "SELECT c.id, c.contract, c.imp_sip, c.imp_ep, c.exp_sip, c.exp_ep, s.node AS peer_node,"
        " n.address AS peer_address FROM channels c"
        " LEFT JOIN sips s ON s.app = c.app AND s.replica = 0 AND s.desired = 'run'"
        "  AND s.name = (CASE WHEN c.imp_sip = %Q THEN c.exp_sip ELSE c.imp_sip END)"
        " LEFT JOIN nodes n ON n.id = s.node"
        " WHERE c.app = %Q AND (c.imp_sip = %Q OR c.exp_sip = %Q) ORDER BY c.id",
        name, app, name, name);
    *keep = chans;
    size_t n = json_array_size(chans);
    if (!n)
        return 0;
    c->bindings = calloc(n, sizeof *c->bindings);
    for (size_t i = 0; i < n; i++) {
        json_t *ch = json_array_get(chans, i);
        if (!json_is_string(json_object_get(ch, "peer_node")))
            return -1;
        int imp = !strcmp(jstr(ch, "imp_sip"), name);
        Orch__EndpointBinding *b = calloc(1, sizeof *b);
        Netchan__EndRef *end = calloc(1, sizeof *end);
        Netchan__Location *peer = calloc(1, sizeof *peer);
        orch__endpoint_binding__init(b);
        netchan__end_ref__init(end);
        netchan__location__init(peer);
        end->channel_id = (uint64_t)json_integer_value(json_object_get(ch, "id"));
        end->side = imp ? NETCHAN__SIDE__SIDE_IMP : NETCHAN__SIDE__SIDE_EXP;
        peer->node_id = (char *)jstr(ch, "peer_node");
        peer->address = (char *)jstr(ch, "peer_address");
        peer->epoch = 1;
        b->name = (char *)jstr(ch, imp ? "imp_ep" : "exp_ep");
        b->contract_name = (char *)jstr(ch, "contract");
        b->end = end;
        b->peer = peer;
        c->bindings[c->n_bindings++] = b;
    }
    return 0;
}

static void free_bindings(Orch__SipCreate *c)
{
    for (size_t i = 0; i < c->n_bindings; i++) {
        free(c->bindings[i]->end);
        free(c->bindings[i]->peer);
        free(c->bindings[i]);
    }
    free(c->bindings);
}

int orch_send_create(orchd *o, json_t *sip)
{
    const char *node = jstr(sip, "node");
    orch_conn *conn = orch_conn_find(o, node);
    if (!conn || !conn->live)
        return -1;
    Orch__SipCreate c = ORCH__SIP_CREATE__INIT;
    c.sip_id = (char *)jstr(sip, "id");
    c.app = (char *)jstr(sip, "app");
    c.name = (char *)jstr(sip, "name");
    uint8_t hash[32];
    if (sha256_parse(jstr(sip, "module_hash"), hash))
        return -1;
    c.module_hash.data = hash;
    c.module_hash.len = 32;
    c.memory_limit_bytes = (uint64_t)json_integer_value(json_object_get(sip, "memory"));
    c.fuel_slice = (uint64_t)json_integer_value(json_object_get(sip, "fuel"));
    c.incarnation = (uint64_t)json_integer_value(json_object_get(sip, "incarnation"));
    c.start = 1;        /* cleared below if it has channels: orch_send_start then */
    json_t *spec = json_loads(jstr(sip, "spec"), 0, NULL);
    json_t *args = json_object_get(spec, "args"), *env = json_object_get(spec, "env");
    size_t nargs = json_array_size(args);
    c.args = calloc(nargs + 1, sizeof *c.args);
    for (size_t i = 0; i < nargs; i++)
        c.args[c.n_args++] = (char *)json_string_value(json_array_get(args, i));
    Orch__KeyValue *kvs = calloc(json_object_size(env) + 1, sizeof *kvs);
    c.env = calloc(json_object_size(env) + 1, sizeof *c.env);
    const char *k;
    json_t *v;
    json_object_foreach(env, k, v) {
        orch__key_value__init(&kvs[c.n_env]);
        kvs[c.n_env].key = (char *)k;
        kvs[c.n_env].value = (char *)(json_string_value(v) ? json_string_value(v) : "");
        c.env[c.n_env] = &kvs[c.n_env];
        c.n_env++;
    }
    json_t *keep = NULL;
    int rc = make_bindings(o, sip, &c, &keep);
    c.start = c.n_bindings == 0;
    /* with channels: the app's contract files, so the node need not have them */
    json_t *ctexts = c.n_bindings ? store_query(o->st, "SELECT file, source FROM contracts WHERE app = %Q"
                                                " ORDER BY rowid", c.app) : json_array();
    size_t nct = json_array_size(ctexts);
    Orch__ContractSource *cs = calloc(nct + 1, sizeof *cs);
    c.contracts = calloc(nct + 1, sizeof *c.contracts);
    for (size_t i = 0; i < nct; i++) {
        orch__contract_source__init(&cs[i]);
        cs[i].file = (char *)jstr(json_array_get(ctexts, i), "file");
        cs[i].source.data = (uint8_t *)jstr(json_array_get(ctexts, i), "source");
        cs[i].source.len = strlen((char *)cs[i].source.data);
        c.contracts[c.n_contracts++] = &cs[i];
    }
    if (!rc) {
        Orch__OrchToNode msg = ORCH__ORCH_TO_NODE__INIT;
        msg.body_case = ORCH__ORCH_TO_NODE__BODY_SIP_CREATE;
        msg.sip_create = &c;
        if (o->fault_drop_creates)
            o->fault_drop_creates--;        /* tests: lost on the way */
        else
            send_conn(o, conn, &msg);
        o->m.sips_created++;
    }
    free_bindings(&c);
    json_decref(keep);
    free(cs);
    free(c.contracts);
    json_decref(ctexts);
    free(c.args);
    free(c.env);
    free(kvs);
    json_decref(spec);
    return rc;
}

/* What a node says about one SIP, from a report, heartbeat or registration. */
static void sip_status(orchd *o, const char *node, const Orch__SipStatus *s)
{
    const char *state = state_name(s->state);
    /* kills orchd asked for (deletion, channel group restart, misplaced) need no handling;
     * the id may already belong to a newer instance */
    if (s->state == ORCH__SIP_STATE__SIP_KILLED &&
        (!strcmp(s->error, "deleted") || !strcmp(s->error, "channel peer restarting") ||
         !strcmp(s->error, "not placed on this node")))
        return;
    json_t *rows = store_query(o->st, "SELECT node, desired, observed, incarnation FROM sips WHERE id = %Q",
                               s->sip_id);
    json_t *row = json_array_get(rows, 0);
    int active = !orch_state_final(state);
    if (row && strcmp(jstr(row, "node"), node) && orch_migrate_incoming(o, node, s->sip_id)) {
        json_decref(rows);          /* arriving by migration: placed there once confirmed */
        return;
    }
    if (!row || strcmp(jstr(row, "desired"), "run") || strcmp(jstr(row, "node"), node)) {
        if (active)     /* not placed here (rescheduled while the node was away, deleted) */
            orch_send_stop(o, node, s->sip_id, "not placed on this node");
        json_decref(rows);
        return;
    }
    const char *obs = jstr(row, "observed");
    /* only the current instance counts: a report about an earlier one (before a restart
     * or reschedule) is stale. No clocks compared: the node's need not match ours. */
    if (s->incarnation != (uint64_t)json_integer_value(json_object_get(row, "incarnation"))) {
        json_decref(rows);
        return;
    }
    int ours = !strcmp(obs, "starting") || !strcmp(obs, "running") || !strcmp(obs, "created") ||
               !strcmp(obs, "blocked");
    if (ours && active) {
        if (strcmp(obs, state))
            store_exec(o->st, "UPDATE sips SET observed = %Q, updated_ms = %lld WHERE id = %Q",
                       state, (long long)store_now_ms(), s->sip_id);
        store_exec(o->st, "UPDATE sips SET fuel_used = %lld WHERE id = %Q", (long long)s->fuel_used, s->sip_id);
    } else if (ours) {
        store_exec(o->st, "UPDATE sips SET fuel_used = %lld WHERE id = %Q", (long long)s->fuel_used, s->sip_id);
        orch_sip_ended(o, s->sip_id, state, s->exit_code, s->error);
    }
    json_decref(rows);
}

/* Creates the node never acknowledged (orchd died between store and send): send again. */
static void resend_missing(orchd *o, const char *node, Orch__SipStatus **sips, size_t n)
{
    json_t *rows = store_query(o->st, "SELECT * FROM sips WHERE node = %Q AND desired = 'run'"
                               " AND observed = 'starting' AND updated_ms < %lld", node,
                               (long long)(store_now_ms() - RESEND_CREATE_MS));
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row) {
        size_t j = 0;
        while (j < n && strcmp(sips[j]->sip_id, jstr(row, "id")))
            j++;
        if (j < n)
            continue;
        store_event(o->st, "sip", jstr(row, "id"), "node %s does not know it: create sent again", node);
        store_exec(o->st, "UPDATE sips SET updated_ms = %lld WHERE id = %Q", (long long)store_now_ms(), jstr(row, "id"));
        orch_send_create(o, row);
    }
    json_decref(rows);
}

/* A node that comes back with a new boot id lost its SIPs: place them again. */
static void node_rebooted(orchd *o, const char *node)
{
    json_t *rows = store_query(o->st, "SELECT id FROM sips WHERE node = %Q AND desired = 'run'"
                               " AND observed IN ('starting','created','running','blocked')", node);
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row) {
        store_event(o->st, "sip", jstr(row, "id"), "lost: node %s restarted; rescheduling", node);
        o->m.rescheduled++;
    }
    store_exec(o->st, "UPDATE sips SET node = NULL, observed = 'pending', next_start_ms = 0"
               " WHERE node = %Q AND desired = 'run' AND observed IN ('starting','created','running','blocked')", node);
    json_decref(rows);
}

static void on_register(orchd *o, const uint8_t *ident, size_t identlen, const Orch__Register *r)
{
    const char *id = r->identity;
    if (!id[0] || strlen(id) >= 64) {
        send_ack(o, ident, identlen, 0, "identity missing or too long", NULL, 0);
        return;
    }
    if (o->join_token && strcmp(o->join_token, r->join_token)) {
        store_event(o->st, "node", id, "refused: bad join token");
        send_ack(o, ident, identlen, 0, "bad join token", NULL, 0);
        return;
    }
    json_t *labels = json_object();
    for (size_t i = 0; i < r->n_labels; i++)
        json_object_set_new(labels, r->labels[i]->key, json_string(r->labels[i]->value));
    char *ltext = json_dumps(labels, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(labels);
    int64_t old_boot = store_int(o->st, -1, "SELECT boot_id FROM nodes WHERE id = %Q", id);
    uint64_t now = store_now_ms();
    store_exec(o->st, "INSERT INTO nodes(id, registered_ms) VALUES(%Q, %lld) ON CONFLICT(id) DO NOTHING",
               id, (long long)now);
    store_exec(o->st, "UPDATE nodes SET mac=%Q, memory=%lld, cpus=%d, labels=%Q, address=%Q, platform=%Q,"
               " version=%Q, boot_id=%lld, state='ready', last_seen_ms=%lld WHERE id=%Q",
               r->mac, (long long)r->memory_bytes, (int)r->cpus, ltext, r->netchan_address, r->platform,
               r->version, (long long)r->boot_id, (long long)now, id);
    free(ltext);
    if (old_boot != -1 && old_boot != (int64_t)r->boot_id)
        node_rebooted(o, id);
    store_event(o->st, "node", id, "registered (%s, %lld MiB, %s)", r->platform,
                (long long)(r->memory_bytes >> 20), r->netchan_address);
    orch_conn *c = orch_conn_add(o, id);
    memcpy(c->ident, ident, identlen);
    c->identlen = identlen;
    c->last_seen_ms = now;
    c->boot_id = r->boot_id;
    c->live = 1;
    o->m.registrations++;
    send_ack(o, ident, identlen, 1, NULL, id, (uint32_t)(c - o->conns) + 1);
    for (size_t i = 0; i < r->n_sips; i++)
        sip_status(o, id, r->sips[i]);
}

static void on_heartbeat(orchd *o, const uint8_t *ident, size_t identlen, const Orch__NodeHeartbeat *h)
{
    orch_conn *c = orch_conn_find(o, h->node_id);
    if (!c) {
        /* orchd restarted: adopt a node the store knows; others must register */
        if (store_int(o->st, 0, "SELECT count(*) FROM nodes WHERE id = %Q", h->node_id) == 0) {
            send_ack(o, ident, identlen, 0, "unknown node: register first", NULL, 0);
            return;
        }
        c = orch_conn_add(o, h->node_id);
        c->boot_id = (uint64_t)store_int(o->st, 0, "SELECT boot_id FROM nodes WHERE id = %Q", h->node_id);
        store_event(o->st, "node", h->node_id, "reconnected");
    }
    memcpy(c->ident, ident, identlen);
    c->identlen = identlen;
    c->last_seen_ms = store_now_ms();
    if (!c->live) {
        c->live = 1;
        store_event(o->st, "node", h->node_id, "alive again");
    }
    o->m.heartbeats++;
    store_exec(o->st, "UPDATE nodes SET state='ready', last_seen_ms=%lld, memory_used=%lld, sips_running=%d"
               " WHERE id=%Q", (long long)c->last_seen_ms, (long long)h->memory_used_bytes,
               (int)h->sips_running, h->node_id);
    for (size_t i = 0; i < h->n_sips; i++)
        sip_status(o, h->node_id, h->sips[i]);
    resend_missing(o, h->node_id, h->sips, h->n_sips);
}

static orch_conn *conn_by_ident(orchd *o, const uint8_t *ident, size_t identlen)
{
    for (uint32_t i = 0; i < o->nconns; i++)
        if (o->conns[i].identlen == identlen && !memcmp(o->conns[i].ident, ident, identlen))
            return &o->conns[i];
    return NULL;
}

static void on_module_fetch(orchd *o, const uint8_t *ident, size_t identlen, const Orch__ModuleFetch *f)
{
    Orch__ModuleData d = ORCH__MODULE_DATA__INIT;
    d.hash = f->hash;
    size_t len = 0;
    void *data = NULL;
    if (f->hash.len == 32) {
        char hex[65];
        sha256_hex(f->hash.data, hex);
        data = store_get_module(o->st, hex, &len);
    }
    if (data && f->offset <= len) {
        d.found = 1;
        d.offset = f->offset;
        d.total_size = len;
        d.data.data = (uint8_t *)data + f->offset;
        d.data.len = len - f->offset < MODULE_CHUNK ? len - f->offset : MODULE_CHUNK;
        if (!f->offset)
            o->m.modules_served++;
    }
    Orch__OrchToNode msg = ORCH__ORCH_TO_NODE__INIT;
    msg.body_case = ORCH__ORCH_TO_NODE__BODY_MODULE_DATA;
    msg.module_data = &d;
    send_to(o, ident, identlen, &msg);
    free(data);
}

void orch_handle_frame(orchd *o, const uint8_t *ident, size_t identlen, const uint8_t *buf, size_t len)
{
    o->m.frames_in++;
    if (identlen > sizeof ((orch_conn *)0)->ident) {
        o->m.bad_frames++;
        return;
    }
    Orch__NodeToOrch *msg = orch__node_to_orch__unpack(NULL, len, buf);
    if (!msg) {
        o->m.bad_frames++;
        return;
    }
    orch_conn *c = conn_by_ident(o, ident, identlen);
    switch (msg->body_case) {
    case ORCH__NODE_TO_ORCH__BODY_REGISTER:
        on_register(o, ident, identlen, msg->register_);
        o->kick = 1;
        break;
    case ORCH__NODE_TO_ORCH__BODY_HEARTBEAT:
        on_heartbeat(o, ident, identlen, msg->heartbeat);
        break;
    case ORCH__NODE_TO_ORCH__BODY_SIP_REPORT:
        if (c && msg->sip_report->status)
            sip_status(o, c->node_id, msg->sip_report->status);
        o->kick = 1;
        break;
    case ORCH__NODE_TO_ORCH__BODY_SIP_LOG:
        /* also from a node not yet re-adopted after an orchd restart: output is not lost */
        if (c || store_int(o->st, 0, "SELECT count(*) FROM sips WHERE id = %Q", msg->sip_log->sip_id)) {
            char *text = strndup((char *)msg->sip_log->data.data, msg->sip_log->data.len);
            store_exec(o->st, "INSERT INTO logs(sip_id, fd, seq, data, ts_ms) VALUES(%Q, %d, %lld, %Q, %lld)",
                       msg->sip_log->sip_id, (int)msg->sip_log->fd, (long long)msg->sip_log->seq,
                       text ? text : "", (long long)store_now_ms());
            free(text);
        }
        break;
    case ORCH__NODE_TO_ORCH__BODY_MODULE_FETCH:
        on_module_fetch(o, ident, identlen, msg->module_fetch);
        break;
    case ORCH__NODE_TO_ORCH__BODY_MIGRATION_REPORT:
        if (c)
            orch_migrate_on_report(o, c->node_id, msg->migration_report);
        o->kick = 1;
        break;
    case ORCH__NODE_TO_ORCH__BODY_RESULT:
        if (c && orch_migrate_on_result(o, c->node_id, msg->request_id ? msg->request_id : msg->result->request_id,
                                        msg->result->ok, msg->result->error))
            break;
        if (c && !msg->result->ok)
            store_event(o->st, "node", c->node_id, "command failed: %s", msg->result->error);
        break;
    default:
        o->m.bad_frames++;
        break;
    }
    orch__node_to_orch__free_unpacked(msg, NULL);
}
