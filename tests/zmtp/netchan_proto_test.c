/* CUnit round trip of every message type in netchan/proto/node.proto and orch.proto:
 * each envelope body is filled, packed, unpacked, checked field by field where it
 * matters, and packed again to the very same bytes. Also: garbage and truncated input to
 * the unpackers never crashes, and truncation is refused or visibly shorter. */
#include <stdlib.h>
#include <string.h>
#include <CUnit/CUnit.h>
#include "netchan/proto/node.pb-c.h"
#include "netchan/proto/orch.pb-c.h"
#include "tests/cunit_main.h"

typedef struct {
    uint8_t *data;
    size_t len;
} packed;

static packed pack_node(const Netchan__NodeEnvelope *e)
{
    packed p = { malloc(netchan__node_envelope__get_packed_size(e) + 1), 0 };
    p.len = netchan__node_envelope__pack(e, p.data);
    return p;
}

/* Packs e, unpacks it, re-packs the copy and compares bytes; returns the copy. */
static Netchan__NodeEnvelope *node_round_trip(const Netchan__NodeEnvelope *e)
{
    packed a = pack_node(e);
    Netchan__NodeEnvelope *u = netchan__node_envelope__unpack(NULL, a.len, a.data);
    CU_ASSERT_PTR_NOT_NULL(u);
    if (u) {
        packed b = pack_node(u);
        CU_ASSERT_EQUAL(a.len, b.len);
        CU_ASSERT(a.len == b.len && memcmp(a.data, b.data, a.len) == 0);
        free(b.data);
        CU_ASSERT_EQUAL(u->body_case, e->body_case);
        CU_ASSERT_STRING_EQUAL(u->from_node, e->from_node);
    }
    free(a.data);
    return u;
}

static packed pack_n2o(const Orch__NodeToOrch *m)
{
    packed p = { malloc(orch__node_to_orch__get_packed_size(m) + 1), 0 };
    p.len = orch__node_to_orch__pack(m, p.data);
    return p;
}

static Orch__NodeToOrch *n2o_round_trip(const Orch__NodeToOrch *m)
{
    packed a = pack_n2o(m);
    Orch__NodeToOrch *u = orch__node_to_orch__unpack(NULL, a.len, a.data);
    CU_ASSERT_PTR_NOT_NULL(u);
    if (u) {
        packed b = pack_n2o(u);
        CU_ASSERT(a.len == b.len && memcmp(a.data, b.data, a.len) == 0);
        free(b.data);
        CU_ASSERT_EQUAL(u->body_case, m->body_case);
        CU_ASSERT_EQUAL(u->request_id, m->request_id);
    }
    free(a.data);
    return u;
}

static packed pack_o2n(const Orch__OrchToNode *m)
{
    packed p = { malloc(orch__orch_to_node__get_packed_size(m) + 1), 0 };
    p.len = orch__orch_to_node__pack(m, p.data);
    return p;
}

static Orch__OrchToNode *o2n_round_trip(const Orch__OrchToNode *m)
{
    packed a = pack_o2n(m);
    Orch__OrchToNode *u = orch__orch_to_node__unpack(NULL, a.len, a.data);
    CU_ASSERT_PTR_NOT_NULL(u);
    if (u) {
        packed b = pack_o2n(u);
        CU_ASSERT(a.len == b.len && memcmp(a.data, b.data, a.len) == 0);
        free(b.data);
        CU_ASSERT_EQUAL(u->body_case, m->body_case);
        CU_ASSERT_EQUAL(u->request_id, m->request_id);
    }
    free(a.data);
    return u;
}

#define BYTES(s) ((ProtobufCBinaryData){ sizeof(s) - 1, (uint8_t *)(s) })

/* ---- node.proto ---- */

static void test_hello(void)
{
    Netchan__EndRef end = NETCHAN__END_REF__INIT;
    end.channel_id = 0x0102030405060708ull;
    end.side = NETCHAN__SIDE__SIDE_EXP;
    Netchan__Hello__Resume r = NETCHAN__HELLO__RESUME__INIT, *rs[] = { &r };
    r.end = &end;
    r.recv_seq = 41;
    Netchan__Hello h = NETCHAN__HELLO__INIT;
    h.wire_version = NETCHAN__WIRE_VERSION__WIRE_VERSION;
    h.node_id = "node-a";
    h.address = "tcp://127.0.0.1:5600";
    h.boot_id = 0xfeedfacecafebeefull;
    h.n_resume = 1;
    h.resume = rs;
    Netchan__NodeEnvelope e = NETCHAN__NODE_ENVELOPE__INIT;
    e.from_node = "node-a";
    e.body_case = NETCHAN__NODE_ENVELOPE__BODY_HELLO;
    e.hello = &h;
    Netchan__NodeEnvelope *u = node_round_trip(&e);
    CU_ASSERT_PTR_NOT_NULL_FATAL(u);
    CU_ASSERT_EQUAL(u->hello->wire_version, 1);
    CU_ASSERT_EQUAL(u->hello->boot_id, 0xfeedfacecafebeefull);
    CU_ASSERT_EQUAL_FATAL(u->hello->n_resume, 1);
    CU_ASSERT_EQUAL(u->hello->resume[0]->end->channel_id, 0x0102030405060708ull);
    CU_ASSERT_EQUAL(u->hello->resume[0]->end->side, NETCHAN__SIDE__SIDE_EXP);
    CU_ASSERT_EQUAL(u->hello->resume[0]->recv_seq, 41);
    netchan__node_envelope__free_unpacked(u, NULL);
}

static void test_heartbeat(void)
{
    Netchan__Heartbeat h = NETCHAN__HEARTBEAT__INIT;
    h.nonce = 7;
    h.sent_ns = 123456789;
    h.reply = 1;
    Netchan__NodeEnvelope e = NETCHAN__NODE_ENVELOPE__INIT;
    e.from_node = "n";
    e.body_case = NETCHAN__NODE_ENVELOPE__BODY_HEARTBEAT;
    e.heartbeat = &h;
    Netchan__NodeEnvelope *u = node_round_trip(&e);
    CU_ASSERT_PTR_NOT_NULL_FATAL(u);
    CU_ASSERT(u->heartbeat->nonce == 7 && u->heartbeat->sent_ns == 123456789 && u->heartbeat->reply);
    netchan__node_envelope__free_unpacked(u, NULL);
}

/* A data frame carrying a block and an endpoint that itself has a queued message. */
static void test_channel_data_with_block_and_endpoint(void)
{
    Netchan__EndRef to = NETCHAN__END_REF__INIT, moving = NETCHAN__END_REF__INIT;
    to.channel_id = 99;
    to.side = NETCHAN__SIDE__SIDE_IMP;
    moving.channel_id = 100;
    moving.side = NETCHAN__SIDE__SIDE_EXP;

    Netchan__ChannelMessage queued = NETCHAN__CHANNEL_MESSAGE__INIT, *qs[] = { &queued };
    queued.tag = 2;
    queued.name = "Response";
    queued.payload = BYTES("\x01\x02");
    Netchan__Location peer = NETCHAN__LOCATION__INIT;
    peer.node_id = "node-c";
    peer.address = "tcp://127.0.0.1:5602";
    peer.epoch = 3;
    Netchan__EndpointState ep = NETCHAN__ENDPOINT_STATE__INIT;
    ep.end = &moving;
    ep.contract_name = "Echo";
    ep.contract_fingerprint = 0xabcdef0123456789ull;
    ep.state = 1;
    ep.state_name = "Waiting";
    ep.peer = &peer;
    ep.n_queued = 1;
    ep.queued = qs;
    ep.next_send_seq = 5;
    ep.recv_seq = 4;

    Netchan__Block blk = NETCHAN__BLOCK__INIT;
    blk.data = BYTES("exchange heap bytes");
    Netchan__Handle h0 = NETCHAN__HANDLE__INIT, h1 = NETCHAN__HANDLE__INIT, *hs[] = { &h0, &h1 };
    h0.kind_case = NETCHAN__HANDLE__KIND_BLOCK;
    h0.block = &blk;
    h1.kind_case = NETCHAN__HANDLE__KIND_ENDPOINT;
    h1.endpoint = &ep;

    Netchan__ChannelMessage msg = NETCHAN__CHANNEL_MESSAGE__INIT;
    msg.tag = 0;
    msg.name = "Request";
    msg.payload = BYTES("\x2a\x00\x00\x00");
    msg.n_handles = 2;
    msg.handles = hs;
    Netchan__ChannelData d = NETCHAN__CHANNEL_DATA__INIT;
    d.to = &to;
    d.seq = 12;
    d.ack = 11;
    d.contract_fingerprint = 0x1111222233334444ull;
    d.msg = &msg;
    d.route_epoch = 2;
    Netchan__NodeEnvelope e = NETCHAN__NODE_ENVELOPE__INIT;
    e.from_node = "node-b";
    e.body_case = NETCHAN__NODE_ENVELOPE__BODY_DATA;
    e.data = &d;

    Netchan__NodeEnvelope *u = node_round_trip(&e);
    CU_ASSERT_PTR_NOT_NULL_FATAL(u);
    Netchan__ChannelData *ud = u->data;
    CU_ASSERT(ud->seq == 12 && ud->ack == 11 && ud->route_epoch == 2);
    CU_ASSERT_EQUAL(ud->to->channel_id, 99);
    CU_ASSERT_EQUAL_FATAL(ud->msg->n_handles, 2);
    CU_ASSERT_EQUAL(ud->msg->handles[0]->kind_case, NETCHAN__HANDLE__KIND_BLOCK);
    CU_ASSERT_EQUAL(ud->msg->handles[0]->block->data.len, 19);
    CU_ASSERT_NSTRING_EQUAL(ud->msg->handles[0]->block->data.data, "exchange heap bytes", 19);
    Netchan__EndpointState *ue = ud->msg->handles[1]->endpoint;
    CU_ASSERT_EQUAL_FATAL(ud->msg->handles[1]->kind_case, NETCHAN__HANDLE__KIND_ENDPOINT);
    CU_ASSERT_STRING_EQUAL(ue->contract_name, "Echo");
    CU_ASSERT_EQUAL(ue->contract_fingerprint, 0xabcdef0123456789ull);
    CU_ASSERT_STRING_EQUAL(ue->peer->node_id, "node-c");
    CU_ASSERT_EQUAL(ue->peer->epoch, 3);
    CU_ASSERT_EQUAL_FATAL(ue->n_queued, 1);
    CU_ASSERT_STRING_EQUAL(ue->queued[0]->name, "Response");
    CU_ASSERT_EQUAL(ue->queued[0]->payload.len, 2);
    netchan__node_envelope__free_unpacked(u, NULL);
}

static void test_ack_close_route(void)
{
    Netchan__EndRef a = NETCHAN__END_REF__INIT, b = NETCHAN__END_REF__INIT;
    a.channel_id = b.channel_id = 5;
    a.side = NETCHAN__SIDE__SIDE_IMP;
    b.side = NETCHAN__SIDE__SIDE_EXP;

    Netchan__ChannelAck ack = NETCHAN__CHANNEL_ACK__INIT;
    ack.by = &a;
    ack.seq = 1000000;
    Netchan__NodeEnvelope e = NETCHAN__NODE_ENVELOPE__INIT;
    e.from_node = "x";
    e.body_case = NETCHAN__NODE_ENVELOPE__BODY_ACK;
    e.ack = &ack;
    Netchan__NodeEnvelope *u = node_round_trip(&e);
    CU_ASSERT(u && u->ack->seq == 1000000 && u->ack->by->side == NETCHAN__SIDE__SIDE_IMP);
    netchan__node_envelope__free_unpacked(u, NULL);

    Netchan__ChannelClose cl = NETCHAN__CHANNEL_CLOSE__INIT;
    cl.to = &a;
    cl.from = &b;
    cl.reason = NETCHAN__CLOSE_REASON__CLOSE_PEER_TRAPPED;
    cl.detail = "out-of-bounds memory access";
    cl.last_seq = 17;
    e.body_case = NETCHAN__NODE_ENVELOPE__BODY_CLOSE;
    e.close = &cl;
    u = node_round_trip(&e);
    CU_ASSERT(u && u->close->reason == NETCHAN__CLOSE_REASON__CLOSE_PEER_TRAPPED &&
              u->close->last_seq == 17 && strcmp(u->close->detail, cl.detail) == 0);
    netchan__node_envelope__free_unpacked(u, NULL);

    Netchan__Location now = NETCHAN__LOCATION__INIT, before = NETCHAN__LOCATION__INIT;
    now.node_id = "node-2";
    now.address = "tcp://127.0.0.2:5600";
    now.epoch = 2;
    before.node_id = "node-1";
    before.epoch = 1;
    Netchan__RouteUpdate ru = NETCHAN__ROUTE_UPDATE__INIT;
    ru.end = &b;
    ru.location = &now;
    ru.previous = &before;
    e.body_case = NETCHAN__NODE_ENVELOPE__BODY_ROUTE_UPDATE;
    e.route_update = &ru;
    u = node_round_trip(&e);
    CU_ASSERT(u && u->route_update->location->epoch == 2 &&
              strcmp(u->route_update->previous->node_id, "node-1") == 0);
    netchan__node_envelope__free_unpacked(u, NULL);

    Netchan__RouteAck ra = NETCHAN__ROUTE_ACK__INIT;
    ra.end = &b;
    ra.epoch = 2;
    e.body_case = NETCHAN__NODE_ENVELOPE__BODY_ROUTE_ACK;
    e.route_ack = &ra;
    u = node_round_trip(&e);
    CU_ASSERT(u && u->route_ack->epoch == 2 && u->route_ack->end->channel_id == 5);
    netchan__node_envelope__free_unpacked(u, NULL);
}

static void test_migration(void)
{
    Netchan__EndRef end = NETCHAN__END_REF__INIT;
    end.channel_id = 77;
    end.side = NETCHAN__SIDE__SIDE_IMP;
    Netchan__EndpointState st = NETCHAN__ENDPOINT_STATE__INIT;
    st.end = &end;
    st.contract_name = "Echo";
    st.peer_closed = 1;
    st.peer_close_reason = NETCHAN__CLOSE_REASON__CLOSE_PEER_EXITED;
    Netchan__MigrationSnapshot__OwnedBlock ob = NETCHAN__MIGRATION_SNAPSHOT__OWNED_BLOCK__INIT;
    ob.handle = 3;
    ob.data = BYTES("blk");
    Netchan__MigrationSnapshot__OwnedEndpoint oe = NETCHAN__MIGRATION_SNAPSHOT__OWNED_ENDPOINT__INIT;
    oe.handle = 4;
    oe.state = &st;
    Netchan__MigrationSnapshot__OwnedBlock *obs[] = { &ob };
    Netchan__MigrationSnapshot__OwnedEndpoint *oes[] = { &oe };
    Netchan__MigrationSnapshot ms = NETCHAN__MIGRATION_SNAPSHOT__INIT;
    ms.migration_id = 0x77;
    ms.sip_id = "app/echo/0";
    ms.module_hash = BYTES("0123456789abcdef0123456789abcdef");
    ms.engine_state = BYTES("opaque engine snapshot");
    ms.n_blocks = 1;
    ms.blocks = obs;
    ms.n_endpoints = 1;
    ms.endpoints = oes;
    Netchan__NodeEnvelope e = NETCHAN__NODE_ENVELOPE__INIT;
    e.from_node = "src";
    e.body_case = NETCHAN__NODE_ENVELOPE__BODY_MIGRATION;
    e.migration = &ms;
    Netchan__NodeEnvelope *u = node_round_trip(&e);
    CU_ASSERT_PTR_NOT_NULL_FATAL(u);
    CU_ASSERT_EQUAL(u->migration->module_hash.len, 32);
    CU_ASSERT_EQUAL_FATAL(u->migration->n_endpoints, 1);
    CU_ASSERT_EQUAL(u->migration->endpoints[0]->handle, 4);
    CU_ASSERT_TRUE(u->migration->endpoints[0]->state->peer_closed);
    CU_ASSERT_EQUAL(u->migration->blocks[0]->handle, 3);
    netchan__node_envelope__free_unpacked(u, NULL);

    Netchan__MigrationResult mr = NETCHAN__MIGRATION_RESULT__INIT;
    mr.migration_id = 0x77;
    mr.ok = 0;
    mr.error = "module hash mismatch";
    e.body_case = NETCHAN__NODE_ENVELOPE__BODY_MIGRATION_RESULT;
    e.migration_result = &mr;
    u = node_round_trip(&e);
    CU_ASSERT(u && !u->migration_result->ok && strcmp(u->migration_result->error, mr.error) == 0);
    netchan__node_envelope__free_unpacked(u, NULL);
}

/* ---- orch.proto ---- */

static void test_node_to_orch(void)
{
    Orch__Label l1 = ORCH__LABEL__INIT, l2 = ORCH__LABEL__INIT, *ls[] = { &l1, &l2 };
    l1.key = "rack";
    l1.value = "r1";
    l2.key = "gpu";
    l2.value = "no";
    Orch__SipStatus s1 = ORCH__SIP_STATUS__INIT, *ss[] = { &s1 };
    s1.sip_id = "app/a/0";
    s1.state = ORCH__SIP_STATE__SIP_RUNNING;
    s1.fuel_used = 1ull << 40;
    Orch__Register r = ORCH__REGISTER__INIT;
    r.identity = "lab-07";
    r.mac = "52:54:00:12:34:56";
    r.memory_bytes = 8ull << 30;
    r.cpus = 4;
    r.n_labels = 2;
    r.labels = ls;
    r.netchan_address = "tcp://127.0.0.1:5600";
    r.join_token = "secret";
    r.boot_id = 42;
    r.platform = "metal";
    r.n_sips = 1;
    r.sips = ss;
    Orch__NodeToOrch m = ORCH__NODE_TO_ORCH__INIT;
    m.body_case = ORCH__NODE_TO_ORCH__BODY_REGISTER;
    m.register_ = &r;
    Orch__NodeToOrch *u = n2o_round_trip(&m);
    CU_ASSERT_PTR_NOT_NULL_FATAL(u);
    CU_ASSERT_STRING_EQUAL(u->register_->mac, "52:54:00:12:34:56");
    CU_ASSERT_EQUAL(u->register_->memory_bytes, 8ull << 30);
    CU_ASSERT_EQUAL_FATAL(u->register_->n_labels, 2);
    CU_ASSERT_STRING_EQUAL(u->register_->labels[1]->key, "gpu");
    CU_ASSERT_EQUAL(u->register_->sips[0]->state, ORCH__SIP_STATE__SIP_RUNNING);
    orch__node_to_orch__free_unpacked(u, NULL);

    Orch__NodeHeartbeat hb = ORCH__NODE_HEARTBEAT__INIT;
    hb.node_id = "lab-07";
    hb.seq = 9;
    hb.uptime_ms = 60000;
    hb.sips_running = 1;
    hb.n_sips = 1;
    hb.sips = ss;
    m.body_case = ORCH__NODE_TO_ORCH__BODY_HEARTBEAT;
    m.heartbeat = &hb;
    u = n2o_round_trip(&m);
    CU_ASSERT(u && u->heartbeat->seq == 9 && u->heartbeat->n_sips == 1);
    orch__node_to_orch__free_unpacked(u, NULL);

    Orch__SipStatus trapped = ORCH__SIP_STATUS__INIT;
    trapped.sip_id = "app/a/0";
    trapped.state = ORCH__SIP_STATE__SIP_TRAPPED;
    trapped.exit_code = -1;
    trapped.error = "integer divide by zero";
    Orch__SipReport rep = ORCH__SIP_REPORT__INIT;
    rep.status = &trapped;
    m.request_id = 31;
    m.body_case = ORCH__NODE_TO_ORCH__BODY_SIP_REPORT;
    m.sip_report = &rep;
    u = n2o_round_trip(&m);
    CU_ASSERT(u && u->sip_report->status->exit_code == -1 &&
              strcmp(u->sip_report->status->error, "integer divide by zero") == 0);
    orch__node_to_orch__free_unpacked(u, NULL);

    Orch__SipLog lg = ORCH__SIP_LOG__INIT;
    lg.sip_id = "app/a/0";
    lg.fd = 2;
    lg.seq = 3;
    lg.data = BYTES("hello\n");
    m.body_case = ORCH__NODE_TO_ORCH__BODY_SIP_LOG;
    m.sip_log = &lg;
    u = n2o_round_trip(&m);
    CU_ASSERT(u && u->sip_log->fd == 2 && u->sip_log->data.len == 6);
    orch__node_to_orch__free_unpacked(u, NULL);

    Orch__ModuleFetch mf = ORCH__MODULE_FETCH__INIT;
    mf.hash = BYTES("0123456789abcdef0123456789abcdef");
    mf.offset = 65536;
    m.body_case = ORCH__NODE_TO_ORCH__BODY_MODULE_FETCH;
    m.module_fetch = &mf;
    u = n2o_round_trip(&m);
    CU_ASSERT(u && u->module_fetch->hash.len == 32 && u->module_fetch->offset == 65536);
    orch__node_to_orch__free_unpacked(u, NULL);

    Orch__MigrationReport mr = ORCH__MIGRATION_REPORT__INIT;
    mr.migration_id = 5;
    mr.sip_id = "app/a/0";
    mr.phase = ORCH__MIGRATION_PHASE__MIGRATION_RESUMED;
    mr.downtime_us = 1234;
    m.body_case = ORCH__NODE_TO_ORCH__BODY_MIGRATION_REPORT;
    m.migration_report = &mr;
    u = n2o_round_trip(&m);
    CU_ASSERT(u && u->migration_report->phase == ORCH__MIGRATION_PHASE__MIGRATION_RESUMED &&
              u->migration_report->downtime_us == 1234);
    orch__node_to_orch__free_unpacked(u, NULL);

    Orch__CommandResult cr = ORCH__COMMAND_RESULT__INIT;
    cr.request_id = 31;
    cr.ok = 0;
    cr.error = "no such SIP";
    m.body_case = ORCH__NODE_TO_ORCH__BODY_RESULT;
    m.result = &cr;
    u = n2o_round_trip(&m);
    CU_ASSERT(u && u->result->request_id == 31 && !u->result->ok);
    orch__node_to_orch__free_unpacked(u, NULL);
}

static void test_orch_to_node(void)
{
    Orch__OrchToNode m = ORCH__ORCH_TO_NODE__INIT;
    m.request_id = 1;

    Orch__RegisterAck ra = ORCH__REGISTER_ACK__INIT;
    ra.accepted = 1;
    ra.node_id = "lab-07";
    ra.heartbeat_interval_ms = 1000;
    ra.node_index = 7;
    m.body_case = ORCH__ORCH_TO_NODE__BODY_REGISTER_ACK;
    m.register_ack = &ra;
    Orch__OrchToNode *u = o2n_round_trip(&m);
    CU_ASSERT(u && u->register_ack->accepted && u->register_ack->node_index == 7);
    orch__orch_to_node__free_unpacked(u, NULL);

    Netchan__EndRef end = NETCHAN__END_REF__INIT;
    end.channel_id = 0x700000001ull;
    end.side = NETCHAN__SIDE__SIDE_EXP;
    Netchan__Location peer = NETCHAN__LOCATION__INIT;
    peer.node_id = "lab-08";
    peer.address = "tcp://127.0.0.1:5601";
    peer.epoch = 1;
    Orch__EndpointBinding b = ORCH__ENDPOINT_BINDING__INIT, *bs[] = { &b };
    b.name = "echo";
    b.end = &end;
    b.contract_name = "Echo";
    b.contract_fingerprint = 0x5555;
    b.peer = &peer;
    Orch__KeyValue kv = ORCH__KEY_VALUE__INIT, *kvs[] = { &kv };
    kv.key = "MODE";
    kv.value = "fast";
    char *args[] = { "echo", "--n", "3" };
    Orch__SipCreate sc = ORCH__SIP_CREATE__INIT;
    sc.sip_id = "app/echo/0";
    sc.app = "app";
    sc.name = "echo";
    sc.module_hash = BYTES("0123456789abcdef0123456789abcdef");
    sc.n_args = 3;
    sc.args = args;
    sc.n_env = 1;
    sc.env = kvs;
    sc.memory_limit_bytes = 1 << 24;
    sc.heap_quota_bytes = 1 << 20;
    sc.n_bindings = 1;
    sc.bindings = bs;
    sc.start = 1;
    m.body_case = ORCH__ORCH_TO_NODE__BODY_SIP_CREATE;
    m.sip_create = &sc;
    u = o2n_round_trip(&m);
    CU_ASSERT_PTR_NOT_NULL_FATAL(u);
    CU_ASSERT_EQUAL_FATAL(u->sip_create->n_args, 3);
    CU_ASSERT_STRING_EQUAL(u->sip_create->args[1], "--n");
    CU_ASSERT_STRING_EQUAL(u->sip_create->env[0]->value, "fast");
    CU_ASSERT_EQUAL_FATAL(u->sip_create->n_bindings, 1);
    CU_ASSERT_EQUAL(u->sip_create->bindings[0]->end->channel_id, 0x700000001ull);
    CU_ASSERT_STRING_EQUAL(u->sip_create->bindings[0]->peer->address, "tcp://127.0.0.1:5601");
    CU_ASSERT_TRUE(u->sip_create->start);
    orch__orch_to_node__free_unpacked(u, NULL);

    Orch__SipStart st = ORCH__SIP_START__INIT;
    st.sip_id = "app/echo/0";
    m.body_case = ORCH__ORCH_TO_NODE__BODY_SIP_START;
    m.sip_start = &st;
    u = o2n_round_trip(&m);
    CU_ASSERT(u && strcmp(u->sip_start->sip_id, "app/echo/0") == 0);
    orch__orch_to_node__free_unpacked(u, NULL);

    Orch__SipStop sp = ORCH__SIP_STOP__INIT;
    sp.sip_id = "app/echo/0";
    sp.reason = "sipctl delete";
    m.body_case = ORCH__ORCH_TO_NODE__BODY_SIP_STOP;
    m.sip_stop = &sp;
    u = o2n_round_trip(&m);
    CU_ASSERT(u && strcmp(u->sip_stop->reason, "sipctl delete") == 0);
    orch__orch_to_node__free_unpacked(u, NULL);

    Orch__ModuleData md = ORCH__MODULE_DATA__INIT;
    md.hash = BYTES("0123456789abcdef0123456789abcdef");
    md.found = 1;
    md.offset = 0;
    md.total_size = 4;
    md.data = BYTES("\0asm");
    m.body_case = ORCH__ORCH_TO_NODE__BODY_MODULE_DATA;
    m.module_data = &md;
    u = o2n_round_trip(&m);
    CU_ASSERT(u && u->module_data->found && u->module_data->data.len == 4 &&
              memcmp(u->module_data->data.data, "\0asm", 4) == 0);
    orch__orch_to_node__free_unpacked(u, NULL);

    Orch__MigrateIn mi = ORCH__MIGRATE_IN__INIT;
    mi.migration_id = 9;
    mi.sip_id = "app/echo/0";
    mi.source = &peer;
    mi.module_hash = BYTES("0123456789abcdef0123456789abcdef");
    m.body_case = ORCH__ORCH_TO_NODE__BODY_MIGRATE_IN;
    m.migrate_in = &mi;
    u = o2n_round_trip(&m);
    CU_ASSERT(u && u->migrate_in->migration_id == 9 && u->migrate_in->source->epoch == 1);
    orch__orch_to_node__free_unpacked(u, NULL);

    Orch__MigrateOut mo = ORCH__MIGRATE_OUT__INIT;
    mo.migration_id = 9;
    mo.sip_id = "app/echo/0";
    mo.target = &peer;
    m.body_case = ORCH__ORCH_TO_NODE__BODY_MIGRATE_OUT;
    m.migrate_out = &mo;
    u = o2n_round_trip(&m);
    CU_ASSERT(u && strcmp(u->migrate_out->target->node_id, "lab-08") == 0);
    orch__orch_to_node__free_unpacked(u, NULL);
}

/* Bad bytes never crash the decoders; truncations of a good message are refused. */
static void test_bad_input(void)
{
    srand(7);
    uint8_t buf[256];
    for (int iter = 0; iter < 5000; iter++) {
        size_t n = (size_t)(rand() % sizeof buf);
        for (size_t i = 0; i < n; i++)
            buf[i] = (uint8_t)rand();
        Netchan__NodeEnvelope *e = netchan__node_envelope__unpack(NULL, n, buf);
        if (e)
            netchan__node_envelope__free_unpacked(e, NULL);
        Orch__NodeToOrch *a = orch__node_to_orch__unpack(NULL, n, buf);
        if (a)
            orch__node_to_orch__free_unpacked(a, NULL);
        Orch__OrchToNode *b = orch__orch_to_node__unpack(NULL, n, buf);
        if (b)
            orch__orch_to_node__free_unpacked(b, NULL);
    }
    Netchan__Heartbeat h = NETCHAN__HEARTBEAT__INIT;
    h.nonce = 0xffffffffffffull;
    Netchan__NodeEnvelope e = NETCHAN__NODE_ENVELOPE__INIT;
    e.from_node = "some-node-name";
    e.body_case = NETCHAN__NODE_ENVELOPE__BODY_HEARTBEAT;
    e.heartbeat = &h;
    packed p = pack_node(&e);
    /* protobuf is not self-delimiting (ZMTP frames delimit it): a cut on a field boundary
     * decodes as a shorter message, a cut inside a field is refused; never the original */
    int refused = 0, same = 0;
    for (size_t cut = 1; cut < p.len; cut++) {
        Netchan__NodeEnvelope *u = netchan__node_envelope__unpack(NULL, cut, p.data);
        refused += u == NULL;
        if (u) {
            same += netchan__node_envelope__get_packed_size(u) == p.len;
            netchan__node_envelope__free_unpacked(u, NULL);
        }
    }
    CU_ASSERT(refused > 0);
    CU_ASSERT_EQUAL(same, 0);
    free(p.data);
}

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 1;
    CU_pSuite n = CU_add_suite("netchan node.proto", NULL, NULL);
    CU_add_test(n, "Hello", test_hello);
    CU_add_test(n, "Heartbeat", test_heartbeat);
    CU_add_test(n, "ChannelData with block and endpoint", test_channel_data_with_block_and_endpoint);
    CU_add_test(n, "ChannelAck, ChannelClose, RouteUpdate, RouteAck", test_ack_close_route);
    CU_add_test(n, "MigrationSnapshot, MigrationResult", test_migration);
    CU_pSuite o = CU_add_suite("netchan orch.proto", NULL, NULL);
    CU_add_test(o, "node -> orchestrator", test_node_to_orch);
    CU_add_test(o, "orchestrator -> node", test_orch_to_node);
    CU_add_test(o, "bad input to the decoders", test_bad_input);
    return cunit_run_all("build/tests/zmtp/netchan_proto_test");
}
