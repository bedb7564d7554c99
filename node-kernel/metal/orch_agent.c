/* orch_agent.c: the metal node's orchestrator agent (see orch_agent.h), speaking
 * orch.proto (NodeToOrch / OrchToNode, one envelope per ZMTP message) as the
 * orchestrator's node link expects: Register first, then NodeHeartbeat every
 * RegisterAck.heartbeat_interval_ms with the status of every SIP it created here;
 * SipReport on every state change (the answer to a SipCreate echoes its request_id);
 * SipLog chunks numbered per SIP and fd; ModuleFetch by hash, answered by ModuleData
 * (whole or in chunks); CommandResult for commands with nothing else to say.
 *
 * Channels: a binding whose peer end lives on this node is wired here once both SIPs
 * exist (a SIP starts when all its bindings are wired). A binding whose peer end is on
 * another node goes through netchan (netchan's own code over the kernel's ZeroMQ subset,
 * zmq_shim.c), started once the node is registered: it listens at ncaddr=tcp://HOST:PORT
 * (default tcp://<its address>:5600) on that port on every address, so behind a NAT
 * (QEMU user networking with hostfwd) HOST may be the address the other nodes see.
 * Modules are cached and fetched by orch_modules.c. */
#include <string.h>
#include <stdlib.h>
#include "lwip/netif.h"
#include "lwip/ip_addr.h"
#include "netchan/proto/orch.pb-c.h"
#include "node-kernel/core/platform.h"
#include "node-kernel/core/channel.h"
#include "node-kernel/core/wasm_sip.h"
#include "node-kernel/metal/orch_agent.h"
#include "node-kernel/metal/orch_modules.h"
#include "node-kernel/metal/zlink.h"
#include "node-kernel/metal/node.h"
#include "node-kernel/metal/net.h"
#include "node-kernel/metal/cmdline.h"
#include "node-kernel/metal/heap.h"
#include "node-kernel/metal/kprintf.h"
#include "node-kernel/metal/timer.h"
#include "netchan/netchan.h"
#include "netchan/nc_migrate.h"
#include <zmq.h>

uint32_t metal_random32(void);

#define RECONNECT_MS      1000
#define REREGISTER_MS     5000
#define METAL_VERSION     "multiplicity-metal 0.2"

/* A SIP the orchestrator asked for. kid is its kernel id once created (0 before). */
struct asip {
    struct asip *next;
    char id[128];
    uint32_t kid;
    Orch__SipState state;
    int32_t exit_code;
    char error[192];
    uint64_t fuel_used, memory_bytes, changed_ms;
    uint64_t incarnation;           /* orchd's instance number, echoed in every status */
    uint64_t log_seq[3];
    int final_sent;                 /* its final state went out in a heartbeat */
    Orch__OrchToNode *create;       /* the SipCreate, kept until the SIP is created */
    int start, unwired;             /* start when wired; local bindings still unpaired */
    uint64_t migrating;             /* id of the migration taking it away (0: none) */
};

/* A local channel end waiting for the SIP that owns the other end. */
struct pend_end {
    struct pend_end *next;
    uint64_t channel_id;
    int side;
    char name[SIP_NAME_MAX];
    const contract *ct;
    struct asip *owner;
};


static struct {
    uint32_t ip;
    uint16_t port;
    const char *token;
    struct zlink *link;
    int registered;
    uint64_t retry_at_ms, next_hb_ms, hb_interval_ms, hb_seq, boot_id, up_since_ms;
    char identity[32], mac[18], address[48], node_id[64];
    struct asip *sips;
    struct pend_end *ends;
    nc_node *nc;                    /* netchan, once the node has its id */
    struct mig_prep *preps;         /* MigrateIns waiting for their module */
    struct arrival *arrivals;       /* SIPs announced by MigrateIn, with their incarnation */
} A;

/* A MigrateIn whose module is being fetched: answered once it is here. */
struct mig_prep {
    struct mig_prep *next;
    uint8_t hash[32];
    uint64_t request_id;
};

/* A SIP a MigrateIn announced: the incarnation it keeps once it arrives. */
struct arrival {
    struct arrival *next;
    char id[128];
    uint64_t incarnation;
};

static void nc_log_line(void *arg, const char *line) { kprintf("%s\n", line); }
static void orch_migrate_hooks(nc_node *nc);
static void answer_preps(const uint8_t *hash, const wasm_module *m, const char *why);

/* netchan for cross-node channels, started once the orchestrator gave us our id. */
static void start_netchan(void)
{
    if (A.nc) return;
    nc_options o = { 0 };
    o.node_id = A.node_id;
    o.listen = A.address;           /* advertised in Hello; the shim listens on its port */
    o.log = nc_log_line;
    char err[160];
    A.nc = nc_new(node_kernel(), &o, err, sizeof err);
    if (A.nc) {
        orch_migrate_hooks(A.nc);
        kprintf("netchan: node %s listening at %s\n", A.node_id, A.address);
    }
    else kprintf("netchan: not started: %s\n", err);
}

static uint64_t now_ms(void) { return timer_ns() / 1000000u; }
static uint64_t wall_ms(void) { return plat_time_ns(0) / 1000000u; }

/* ---- sending ------------------------------------------------------------------------- */

void orch_agent_send(Orch__NodeToOrch *msg)
{
    if (!A.link) return;
    size_t len = orch__node_to_orch__get_packed_size(msg);
    uint8_t *buf = heap_alloc(len ? len : 1);
    if (!buf) { kprintf("ORCH: out of memory sending a message\n"); return; }
    orch__node_to_orch__pack(msg, buf);
    if (zlink_send(A.link, buf, len)) kprintf("ORCH: message of kind %d not sent (link not ready)\n", msg->body_case);
    heap_free(buf);
}

static void fill_status(Orch__SipStatus *st, const struct asip *a)
{
    orch__sip_status__init(st);
    st->sip_id = (char *)a->id;
    st->state = a->state;
    st->exit_code = a->exit_code;
    st->error = (char *)a->error;
    st->fuel_used = a->fuel_used;
    st->memory_bytes = a->memory_bytes;
    st->changed_at_ms = a->changed_ms;
    st->incarnation = a->incarnation;
}

static void refresh(struct asip *a)
{
    sip *s = a->kid ? sip_by_id(node_kernel(), a->kid) : NULL;
    if (!s) return;
    a->fuel_used = s->fuel_used;
    Orch__SipState st = s->state == SIP_BLOCKED ? ORCH__SIP_STATE__SIP_BLOCKED :
                        s->state == SIP_NEW ? ORCH__SIP_STATE__SIP_CREATED : ORCH__SIP_STATE__SIP_RUNNING;
    if (st != a->state) { a->state = st; a->changed_ms = wall_ms(); }   /* heartbeats carry it */
}

static void report(struct asip *a, uint64_t request_id)
{
    Orch__SipStatus st;
    fill_status(&st, a);
    Orch__SipReport rep = ORCH__SIP_REPORT__INIT;
    rep.status = &st;
    Orch__NodeToOrch msg = ORCH__NODE_TO_ORCH__INIT;
    msg.request_id = request_id;
    msg.body_case = ORCH__NODE_TO_ORCH__BODY_SIP_REPORT;
    msg.sip_report = &rep;
    orch_agent_send(&msg);
}

static void set_state(struct asip *a, Orch__SipState st, uint64_t request_id)
{
    static const char *const names[] = { "?", "created", "running", "blocked", "exited",
                                         "trapped", "killed", "migrating", "failed" };
    a->state = st;
    a->changed_ms = wall_ms();
    if (st == ORCH__SIP_STATE__SIP_EXITED)
        kprintf("ORCH: SIP %s exited with status %d (at %lu ms)\n", a->id, a->exit_code, (unsigned long)a->changed_ms);
    else
        kprintf("ORCH: SIP %s %s%s%s\n", a->id, st <= 8 ? names[st] : "?", a->error[0] ? ": " : "", a->error);
    report(a, request_id);
}

static void result(uint64_t request_id, int ok, const char *error)
{
    Orch__CommandResult r = ORCH__COMMAND_RESULT__INIT;
    r.request_id = request_id;
    r.ok = ok;
    r.error = (char *)(error ? error : "");
    Orch__NodeToOrch msg = ORCH__NODE_TO_ORCH__INIT;
    msg.request_id = request_id;
    msg.body_case = ORCH__NODE_TO_ORCH__BODY_RESULT;
    msg.result = &r;
    orch_agent_send(&msg);
    if (!ok) kprintf("ORCH: command %lu refused: %s\n", (unsigned long)request_id, r.error);
}

/* A SIP released to its migration target, its DONE not yet reported: it is not here. */
static int gone_away(const struct asip *a) { return a->migrating && !a->kid && !a->create; }

/* Every SIP's status, for Register and NodeHeartbeat (caller frees the two arrays). */
static size_t all_statuses(Orch__SipStatus **stv, Orch__SipStatus ***ptrs)
{
    size_t n = 0;
    for (struct asip *a = A.sips; a; a = a->next) n += !gone_away(a);
    *stv = heap_alloc((n + 1) * sizeof **stv);
    *ptrs = heap_alloc((n + 1) * sizeof **ptrs);
    if (!*stv || !*ptrs) { heap_free(*stv); heap_free(*ptrs); *stv = NULL; *ptrs = NULL; return 0; }
    size_t i = 0;
    for (struct asip *a = A.sips; a; a = a->next) {
        if (gone_away(a)) continue;
        refresh(a);
        fill_status(&(*stv)[i], a);
        (*ptrs)[i] = &(*stv)[i];
        i++;
    }
    return n;
}

static void send_register(void)
{
    const struct cmdline_label *labels;
    size_t nl = cmdline_labels(&labels);
    Orch__Label lv[CMDLINE_MAX_LABELS], *lp[CMDLINE_MAX_LABELS];
    for (size_t i = 0; i < nl; i++) {
        orch__label__init(&lv[i]);
        lv[i].key = (char *)labels[i].key;
        lv[i].value = (char *)labels[i].value;
        lp[i] = &lv[i];
    }
    Orch__Register r = ORCH__REGISTER__INIT;
    r.identity = A.identity;
    r.mac = A.mac;
    r.memory_bytes = heap_size() - heap_used();
    r.cpus = 1;
    r.n_labels = nl;
    r.labels = lp;
    r.netchan_address = A.address;
    r.join_token = (char *)(A.token ? A.token : "");
    r.boot_id = A.boot_id;
    r.platform = "metal";
    r.version = METAL_VERSION;
    Orch__SipStatus *stv, **ptrs;
    r.n_sips = all_statuses(&stv, &ptrs);
    r.sips = ptrs;
    Orch__NodeToOrch msg = ORCH__NODE_TO_ORCH__INIT;
    msg.body_case = ORCH__NODE_TO_ORCH__BODY_REGISTER;
    msg.register_ = &r;
    orch_agent_send(&msg);
    heap_free(stv);
    heap_free(ptrs);
    kprintf("ORCH: sent Register as %s (mac %s, %lu KiB free, %u labels)\n", A.identity, A.mac,
            (unsigned long)(r.memory_bytes / 1024), (unsigned)nl);
}

static void forget(struct asip *a);

static void send_heartbeat(void)
{
    Orch__NodeHeartbeat hb = ORCH__NODE_HEARTBEAT__INIT;
    hb.node_id = A.node_id;
    hb.seq = ++A.hb_seq;
    hb.uptime_ms = now_ms();
    hb.memory_used_bytes = heap_used();
    for (struct asip *a = A.sips; a; a = a->next)
        if (a->kid) hb.sips_running++;
    Orch__SipStatus *stv, **ptrs;
    hb.n_sips = all_statuses(&stv, &ptrs);
    hb.sips = ptrs;
    Orch__NodeToOrch msg = ORCH__NODE_TO_ORCH__INIT;
    msg.body_case = ORCH__NODE_TO_ORCH__BODY_HEARTBEAT;
    msg.heartbeat = &hb;
    orch_agent_send(&msg);
    heap_free(stv);
    heap_free(ptrs);
    /* Final states have now been said twice (report and heartbeat): forget those SIPs. */
    for (struct asip *a = A.sips, *next; a; a = next) {
        next = a->next;
        if (!a->kid && !a->create && !a->migrating && a->final_sent++) forget(a);
    }
}

/* ---- SIP records --------------------------------------------------------------------- */

static struct asip *find_sip(const char *id)
{
    for (struct asip *a = A.sips; a; a = a->next)
        if (!strcmp(a->id, id)) return a;
    return NULL;
}

static struct asip *find_kid(uint32_t kid)
{
    for (struct asip *a = A.sips; a && kid; a = a->next)
        if (a->kid == kid) return a;
    return NULL;
}

static void drop_ends_of(struct asip *a)
{
    for (struct pend_end **pp = &A.ends; *pp;) {
        struct pend_end *e = *pp;
        if (e->owner == a) { *pp = e->next; heap_free(e); }
        else pp = &e->next;
    }
}

static void forget(struct asip *a)
{
    for (struct asip **pp = &A.sips; *pp; pp = &(*pp)->next)
        if (*pp == a) { *pp = a->next; break; }
    drop_ends_of(a);
    if (a->create) orch__orch_to_node__free_unpacked(a->create, NULL);
    heap_free(a);
}

/* A SIP that could not be created: report FAILED with the reason, keep the record until
 * a heartbeat has carried it. */
static void failed(struct asip *a, uint64_t request_id, const char *why)
{
    ksnprintf(a->error, sizeof a->error, "%s", why);
    if (a->kid) { sip *s = sip_by_id(node_kernel(), a->kid); a->kid = 0; if (s) sip_kill(s, why); }
    drop_ends_of(a);
    if (a->create) { orch__orch_to_node__free_unpacked(a->create, NULL); a->create = NULL; }
    set_state(a, ORCH__SIP_STATE__SIP_FAILED, request_id);
}

static void start_sip(struct asip *a, uint64_t request_id)
{
    sip *s = sip_by_id(node_kernel(), a->kid);
    if (!s || s->state != SIP_NEW) { report(a, request_id); return; }    /* started already: say so */
    if (a->unwired) { a->start = 1; result(request_id, 1, NULL); return; }   /* starts when wired */
    sip_start(s);
    set_state(a, ORCH__SIP_STATE__SIP_RUNNING, request_id);
}

/* Pairs one local binding with the waiting other end, or queues it. */
static int bind_local(struct asip *a, const Orch__EndpointBinding *b, char *why, size_t whylen)
{
    kernel *k = node_kernel();
    const contract *ct = kernel_find_contract(k, b->contract_name, strlen(b->contract_name));
    if (!ct) { ksnprintf(why, whylen, "binding %s: unknown contract '%s'", b->name, b->contract_name); return -1; }
    if (b->contract_fingerprint && b->contract_fingerprint != ct->fingerprint) {
        ksnprintf(why, whylen, "binding %s: contract %s differs from this node's", b->name, ct->name);
        return -1;
    }
    if (strlen(b->name) >= SIP_NAME_MAX) { ksnprintf(why, whylen, "binding name too long"); return -1; }
    int side = b->end->side;
    for (struct pend_end **pp = &A.ends; *pp; pp = &(*pp)->next) {
        struct pend_end *e = *pp;
        if (e->channel_id != b->end->channel_id || e->side == side) continue;
        if (e->ct != ct) { ksnprintf(why, whylen, "binding %s: the two ends name different contracts", b->name); return -1; }
        endpoint *imp, *exp;
        if (chan_create(k, ct, &imp, &exp)) { ksnprintf(why, whylen, "out of memory"); return -1; }
        endpoint *mine = side == NETCHAN__SIDE__SIDE_IMP ? imp : exp, *theirs = mine == imp ? exp : imp;
        sip *me = sip_by_id(k, a->kid), *peer = sip_by_id(k, e->owner->kid);
        if (!peer || sip_wire(peer, e->name, theirs)) chan_close(theirs);
        if (sip_wire(me, b->name, mine)) { chan_close(mine); ksnprintf(why, whylen, "cannot wire %s", b->name); return -1; }
        struct asip *other = e->owner;
        *pp = e->next;
        heap_free(e);
        if (!--other->unwired && other->start) start_sip(other, 0);
        return 0;
    }
    struct pend_end *e = heap_alloc(sizeof *e);
    if (!e) { ksnprintf(why, whylen, "out of memory"); return -1; }
    memset(e, 0, sizeof *e);
    e->channel_id = b->end->channel_id;
    e->side = side;
    strcpy(e->name, b->name);
    e->ct = ct;
    e->owner = a;
    e->next = A.ends;
    A.ends = e;
    a->unwired++;
    return 0;
}

/* A binding whose other end lives on another node: a netchan proxy stands for it. */
static int bind_remote(struct asip *a, const Orch__EndpointBinding *b, char *why, size_t whylen)
{
    kernel *k = node_kernel();
    const contract *ct = kernel_find_contract(k, b->contract_name, strlen(b->contract_name));
    if (!ct) { ksnprintf(why, whylen, "binding %s: unknown contract '%s'", b->name, b->contract_name); return -1; }
    if (!A.nc) { ksnprintf(why, whylen, "binding %s: netchan is not running on this node", b->name); return -1; }
    int side = b->end->side == NETCHAN__SIDE__SIDE_IMP ? CONTRACT_IMP : CONTRACT_EXP;
    if (b->peer->address[0]) nc_add_peer(A.nc, b->peer->node_id, b->peer->address);
    return nc_wire(A.nc, sip_by_id(k, a->kid), b->name, ct, b->end->channel_id, side, b->peer->node_id, why, whylen);
}

/* The module is here: create the SIP, wire what can be wired, start it if asked. */
static void create_with(struct asip *a, const wasm_module *m)
{
    Orch__OrchToNode *cmd = a->create;
    const Orch__SipCreate *c = cmd->sip_create;
    uint64_t rid = cmd->request_id;
    char why[200];
    sip_quota q = { 0 };
    q.memory_bytes = c->memory_limit_bytes;
    q.heap_bytes = c->heap_quota_bytes;
    q.fuel_slice = c->fuel_slice;
    const char *name = c->name[0] ? c->name : c->sip_id;
    char sname[SIP_NAME_MAX];
    ksnprintf(sname, sizeof sname, "%s", name);
    sip *s = sip_create(node_kernel(), sname, &q);
    if (!s) { failed(a, rid, "out of memory"); return; }
    a->kid = s->id;
    const char **argv = heap_alloc((c->n_args + 2) * sizeof *argv);
    const char **envp = heap_alloc((c->n_env + 1) * sizeof *envp);
    char *envbuf = NULL;
    size_t envlen = 1;
    for (size_t i = 0; i < c->n_env; i++) envlen += strlen(c->env[i]->key) + strlen(c->env[i]->value) + 2;
    envbuf = heap_alloc(envlen);
    if (!argv || !envp || !envbuf) { heap_free(argv); heap_free(envp); heap_free(envbuf); failed(a, rid, "out of memory"); return; }
    argv[0] = sname;
    for (size_t i = 0; i < c->n_args; i++) argv[i + 1] = c->args[i];
    char *p = envbuf;
    for (size_t i = 0; i < c->n_env; i++) {
        envp[i] = p;
        p += ksnprintf(p, envlen - (size_t)(p - envbuf), "%s=%s", c->env[i]->key, c->env[i]->value) + 1;
    }
    int rc = wasm_sip_attach(s, m, (uint32_t)c->n_args + 1, argv, (uint32_t)c->n_env, envp, why, sizeof why);
    heap_free(argv);
    heap_free(envp);
    heap_free(envbuf);
    if (rc) { failed(a, rid, why); return; }
    for (size_t i = 0; i < c->n_bindings; i++) {
        const Orch__EndpointBinding *b = c->bindings[i];
        if (!b->end || !b->name[0]) { failed(a, rid, "binding without an end or a name"); return; }
        if (!b->peer || !b->peer->node_id[0]) { failed(a, rid, "binding without a peer"); return; }
        int rc = strcmp(b->peer->node_id, A.node_id) ? bind_remote(a, b, why, sizeof why)
                                                      : bind_local(a, b, why, sizeof why);
        if (rc) { failed(a, rid, why); return; }
    }
    a->start = c->start;
    orch__orch_to_node__free_unpacked(cmd, NULL);
    a->create = NULL;
    set_state(a, ORCH__SIP_STATE__SIP_CREATED, rid);
    if (a->start && !a->unwired) start_sip(a, 0);
    else if (a->unwired) kprintf("ORCH: SIP %s waits for %d channel peer(s)\n", a->id, a->unwired);
}

/* ---- modules ------------------------------------------------------------------------- */

/* Every SIP waiting for this hash: created with m, or failed with why. */
static void module_arrived(const uint8_t *hash, const wasm_module *m, const char *why)
{
    for (struct asip *a = A.sips, *next; a; a = next) {
        next = a->next;
        if (!a->create || memcmp(a->create->sip_create->module_hash.data, hash, 32)) continue;
        if (m) create_with(a, m);
        else failed(a, a->create->request_id, why);
    }
    answer_preps(hash, m, why);
}

/* ---- migrations (docs/migration.md), as the hosted agent does them: MigrateIn readies
 * this node as the target (knows the source, has the module in the cache), MigrateOut
 * starts nc_migrate on the source; nc_migrate's hooks become MigrationReports. --------- */

static void send_mig_report(uint64_t id, const char *sip_id, Orch__MigrationPhase phase,
                            uint64_t downtime_us, uint64_t bytes, const char *error)
{
    Orch__MigrationReport r = ORCH__MIGRATION_REPORT__INIT;
    r.migration_id = id;
    r.sip_id = (char *)sip_id;
    r.phase = phase;
    r.downtime_us = downtime_us;
    r.snapshot_bytes = bytes;
    r.error = (char *)(error ? error : "");
    Orch__NodeToOrch msg = ORCH__NODE_TO_ORCH__INIT;
    msg.body_case = ORCH__NODE_TO_ORCH__BODY_MIGRATION_REPORT;
    msg.migration_report = &r;
    orch_agent_send(&msg);
}

/* nc_migrate's find hook: an arriving SIP's module, from the cache MigrateIn filled. */
static const wasm_module *mig_find(void *arg, const uint8_t hash[MIGRATE_HASH_LEN], char *err, size_t errlen)
{
    const wasm_module *m = orch_module_cached(hash);
    if (!m) ksnprintf(err, errlen, "module not in this node's cache");
    return m;
}

/* Source: the migration is over. On success the SIP lives on the target: forget it. */
static void mig_done(void *arg, const char *sip_name, uint64_t id, bool ok, const char *error,
                     uint64_t elapsed_ns, uint64_t image_bytes)
{
    struct asip *a = A.sips;
    while (a && a->migrating != id) a = a->next;
    if (!a) return;
    char sid[sizeof a->id];
    strcpy(sid, a->id);
    a->migrating = 0;
    if (ok) {
        kprintf("ORCH: %s migrated away in %lu us (%lu bytes)\n", sid, (unsigned long)(elapsed_ns / 1000),
                (unsigned long)image_bytes);
        if (a->kid) {               /* cannot happen after a commit; be safe */
            sip *s = sip_by_id(node_kernel(), a->kid);
            a->kid = 0;
            if (s) sip_kill(s, "migrated");
        }
        forget(a);
        send_mig_report(id, sid, ORCH__MIGRATION_PHASE__MIGRATION_DONE, elapsed_ns / 1000, image_bytes, NULL);
    } else {
        kprintf("ORCH: migration of %s failed: %s\n", sid, error);
        send_mig_report(id, sid, ORCH__MIGRATION_PHASE__MIGRATION_FAILED, 0, image_bytes, error);
    }
}

/* Target: the SIP runs here now, with the incarnation its MigrateIn gave. */
static void mig_arrived(void *arg, sip *t, const char *sip_id, uint64_t id)
{
    struct asip *a = find_sip(sip_id);
    if (a && a->kid) {              /* an older instance still here: the arrival wins */
        sip *old = sip_by_id(node_kernel(), a->kid);
        a->kid = 0;
        if (old && old != t) sip_kill(old, "replaced by a migrated instance");
    }
    if (a) forget(a);
    a = heap_alloc(sizeof *a);
    if (!a) { kprintf("ORCH: out of memory for arrived SIP %s\n", sip_id); return; }
    memset(a, 0, sizeof *a);
    ksnprintf(a->id, sizeof a->id, "%s", sip_id);
    for (struct arrival **pp = &A.arrivals; *pp; pp = &(*pp)->next)
        if (!strcmp((*pp)->id, sip_id)) {   /* a moved SIP keeps its incarnation */
            struct arrival *r = *pp;
            a->incarnation = r->incarnation;
            *pp = r->next;
            heap_free(r);
            break;
        }
    a->kid = t->id;
    a->fuel_used = t->fuel_used;
    a->next = A.sips;
    A.sips = a;
    kprintf("ORCH: %s arrived (migration %lu)\n", sip_id, (unsigned long)id);
    set_state(a, ORCH__SIP_STATE__SIP_RUNNING, 0);
    send_mig_report(id, sip_id, ORCH__MIGRATION_PHASE__MIGRATION_RESUMED, 0, 0, NULL);
}

static void orch_migrate_hooks(nc_node *nc)
{
    nc_migrate_hooks h = { 0 };
    h.find = mig_find;
    h.done = mig_done;
    h.arrived = mig_arrived;
    nc_migrate_set_hooks(nc, &h);
}

/* Remembers the incarnation MigrateIn announced for sip_id. */
static void expect_arrival(const char *sip_id, uint64_t incarnation)
{
    if (strlen(sip_id) >= sizeof A.arrivals->id) return;
    struct arrival *r = A.arrivals;
    while (r && strcmp(r->id, sip_id)) r = r->next;
    if (!r) {
        r = heap_alloc(sizeof *r);
        if (!r) return;
        memset(r, 0, sizeof *r);
        strcpy(r->id, sip_id);
        r->next = A.arrivals;
        A.arrivals = r;
    }
    r->incarnation = incarnation;
}

/* Target: know the source, have the app's contracts and the module; answer when ready. */
static void on_migrate_in(uint64_t request_id, const Orch__MigrateIn *mi)
{
    char err[200] = "";
    if (!A.nc)
        ksnprintf(err, sizeof err, "this node has no netchan");
    else if (!mi->source || !mi->source->node_id[0] || mi->module_hash.len != 32)
        ksnprintf(err, sizeof err, "MigrateIn without source or module hash");
    else if (nc_add_peer(A.nc, mi->source->node_id, mi->source->address))
        ksnprintf(err, sizeof err, "cannot reach source node %s", mi->source->node_id);
    /* The app's contracts (mi->contracts) are in this node's boot bundle (docs/metal.md);
     * nc_migrate checks each moved end's contract against them when the ends arrive. */
    if (err[0]) { result(request_id, 0, err); return; }
    expect_arrival(mi->sip_id, mi->incarnation);
    if (orch_module_cached(mi->module_hash.data)) { result(request_id, 1, NULL); return; }
    struct mig_prep *p = heap_alloc(sizeof *p);
    if (!p) { result(request_id, 0, "out of memory"); return; }
    memcpy(p->hash, mi->module_hash.data, 32);
    p->request_id = request_id;
    p->next = A.preps;
    A.preps = p;
    orch_module_want(p->hash);
}

/* The module waiting MigrateIns asked for arrived (m) or could not be had (why). */
static void answer_preps(const uint8_t *hash, const wasm_module *m, const char *why)
{
    for (struct mig_prep **pp = &A.preps; *pp;) {
        struct mig_prep *p = *pp;
        if (memcmp(p->hash, hash, 32)) { pp = &p->next; continue; }
        result(p->request_id, m != NULL, m ? NULL : why);
        *pp = p->next;
        heap_free(p);
    }
}

/* Source: pause the SIP and send it to the target; the outcome comes to mig_done. */
static void on_migrate_out(const Orch__MigrateOut *mo)
{
    char err[200] = "";
    struct asip *a = find_sip(mo->sip_id);
    sip *s = a && a->kid ? sip_by_id(node_kernel(), a->kid) : NULL;
    if (!A.nc)
        ksnprintf(err, sizeof err, "this node has no netchan");
    else if (!s)
        ksnprintf(err, sizeof err, "%s does not run on %s", mo->sip_id, A.node_id);
    else if (s->state == SIP_NEW)
        ksnprintf(err, sizeof err, "%s is not started yet", mo->sip_id);
    else if (a->migrating)
        ksnprintf(err, sizeof err, "%s is migrating already", mo->sip_id);
    else if (!mo->target || !mo->target->node_id[0] || !strcmp(mo->target->node_id, A.node_id))
        ksnprintf(err, sizeof err, "bad migration target");
    else if (nc_add_peer(A.nc, mo->target->node_id, mo->target->address))
        ksnprintf(err, sizeof err, "cannot reach target node %s", mo->target->node_id);
    if (!err[0]) {
        a->migrating = mo->migration_id;
        if (nc_migrate_start(A.nc, s, mo->target->node_id, mo->migration_id, a->id, err, sizeof err) == 0) {
            kprintf("ORCH: migrating %s to %s\n", a->id, mo->target->node_id);
            send_mig_report(mo->migration_id, a->id, ORCH__MIGRATION_PHASE__MIGRATION_SENT, 0, 0, NULL);
            return;
        }
        a->migrating = 0;
    }
    kprintf("ORCH: migration of %s refused: %s\n", mo->sip_id, err);
    send_mig_report(mo->migration_id, mo->sip_id, ORCH__MIGRATION_PHASE__MIGRATION_FAILED, 0, 0, err);
}

/* ---- commands ------------------------------------------------------------------------ */

static void on_create(Orch__OrchToNode *cmd)
{
    const Orch__SipCreate *c = cmd->sip_create;
    uint64_t rid = cmd->request_id;
    struct asip *old = find_sip(c->sip_id);
    if (!c->sip_id[0] || strlen(c->sip_id) >= sizeof old->id) {
        result(rid, 0, "SipCreate: sip_id missing or too long");
    } else if (old && (old->kid || old->create) && old->incarnation == c->incarnation) {
        report(old, rid);                   /* a create sent again: say where it stands */
    } else if (c->module_hash.len != 32) {
        result(rid, 0, "SipCreate: module_hash is not a SHA-256");
    } else {
        if (old && old->kid) {              /* a newer instance replaces a running one */
            sip *s = sip_by_id(node_kernel(), old->kid);
            if (s) sip_kill(s, "replaced by a newer incarnation");
        }
        if (old) forget(old);
        struct asip *a = heap_alloc(sizeof *a);
        if (!a) { result(rid, 0, "out of memory"); orch__orch_to_node__free_unpacked(cmd, NULL); return; }
        memset(a, 0, sizeof *a);
        strcpy(a->id, c->sip_id);
        a->incarnation = c->incarnation;
        a->state = ORCH__SIP_STATE__SIP_CREATED;    /* as far as the orchestrator cares, */
        a->changed_ms = wall_ms();                   /* while its module is on the way */
        a->create = cmd;
        a->next = A.sips;
        A.sips = a;
        const wasm_module *m = orch_module_cached(c->module_hash.data);
        if (m) create_with(a, m);
        else orch_module_want(c->module_hash.data);
        return;                             /* cmd now belongs to the record */
    }
    orch__orch_to_node__free_unpacked(cmd, NULL);
}

static void on_register_ack(const Orch__RegisterAck *ack)
{
    if (!ack->accepted) {
        kprintf("ORCH: registration refused: %s\n", ack->error);
        /* A heartbeat to an orchestrator that lost us ("register first"): at once;
         * a refusal (bad token): try again later. */
        int lost = A.registered;
        A.registered = 0;
        A.retry_at_ms = now_ms() + (lost ? 1 : REREGISTER_MS);
        return;
    }
    ksnprintf(A.node_id, sizeof A.node_id, "%s", ack->node_id[0] ? ack->node_id : A.identity);
    A.hb_interval_ms = ack->heartbeat_interval_ms ? ack->heartbeat_interval_ms : 1000;
    A.registered = 1;
    A.next_hb_ms = now_ms() + A.hb_interval_ms;
    start_netchan();
    orch_module_refetch();          /* fetches a lost link cut short */
    kprintf("ORCH: registered as %s (node index %u, heartbeat every %lu ms, wall clock %lu ms)\n", A.node_id,
            ack->node_index, (unsigned long)A.hb_interval_ms, (unsigned long)wall_ms());
}

static void on_message(void *arg, const zmtp_msg *zm)
{
    if (zm->nframes != 1) { kprintf("ORCH: dropped a message of %u frames\n", (unsigned)zm->nframes); return; }
    Orch__OrchToNode *cmd = orch__orch_to_node__unpack(NULL, zm->frames[0].len, zm->frames[0].data);
    if (!cmd) { kprintf("ORCH: dropped a message that is not an OrchToNode (%u bytes)\n", (unsigned)zm->frames[0].len); return; }
    struct asip *a;
    switch (cmd->body_case) {
    case ORCH__ORCH_TO_NODE__BODY_REGISTER_ACK:
        on_register_ack(cmd->register_ack);
        break;
    case ORCH__ORCH_TO_NODE__BODY_SIP_CREATE:
        on_create(cmd);
        return;
    case ORCH__ORCH_TO_NODE__BODY_SIP_START:
        a = find_sip(cmd->sip_start->sip_id);
        if (!a || !a->kid) result(cmd->request_id, 0, "SipStart: no such SIP here");
        else start_sip(a, cmd->request_id);
        break;
    case ORCH__ORCH_TO_NODE__BODY_SIP_STOP:
        a = find_sip(cmd->sip_stop->sip_id);
        if (a && gone_away(a)) {
            result(cmd->request_id, 1, NULL);       /* it left for its target: nothing to stop */
        } else if (!a || (!a->kid && !a->create)) {
            result(cmd->request_id, 0, "SipStop: no such SIP running here");
        } else if (a->kid) {
            sip *s = sip_by_id(node_kernel(), a->kid);
            if (s) sip_kill(s, cmd->sip_stop->reason[0] ? cmd->sip_stop->reason : "stopped by the orchestrator");
        } else {
            ksnprintf(a->error, sizeof a->error, "stopped before it was created");
            orch__orch_to_node__free_unpacked(a->create, NULL);
            a->create = NULL;
            set_state(a, ORCH__SIP_STATE__SIP_KILLED, cmd->request_id);
        }
        break;
    case ORCH__ORCH_TO_NODE__BODY_MODULE_DATA:
        orch_module_data(cmd->module_data, module_arrived);
        break;
    case ORCH__ORCH_TO_NODE__BODY_MIGRATE_IN:
        on_migrate_in(cmd->request_id, cmd->migrate_in);
        break;
    case ORCH__ORCH_TO_NODE__BODY_MIGRATE_OUT:
        on_migrate_out(cmd->migrate_out);
        break;
    default:
        kprintf("ORCH: command of kind %d ignored\n", cmd->body_case);
        break;
    }
    orch__orch_to_node__free_unpacked(cmd, NULL);
}

/* ---- the kernel's hooks ---------------------------------------------------------------- */

static void on_sip_log(sip *s, int fd, const char *text, size_t n)
{
    struct asip *a = find_kid(s->id);
    if (!a || !A.registered) return;
    Orch__SipLog log = ORCH__SIP_LOG__INIT;
    log.sip_id = a->id;
    log.fd = (uint32_t)fd;
    log.seq = ++a->log_seq[fd == 2 ? 2 : 1];
    log.data.data = (uint8_t *)text;
    log.data.len = n;
    Orch__NodeToOrch msg = ORCH__NODE_TO_ORCH__INIT;
    msg.body_case = ORCH__NODE_TO_ORCH__BODY_SIP_LOG;
    msg.sip_log = &log;
    orch_agent_send(&msg);
}

static void on_sip_exit(sip *s)
{
    struct asip *a = find_kid(s->id);
    if (!a) return;
    a->kid = 0;
    if (s->end == SIP_END_MIGRATED) return;     /* it runs on the target: mig_done reports */
    a->fuel_used = s->fuel_used;
    a->exit_code = s->exit_code;
    drop_ends_of(a);
    Orch__SipState st = ORCH__SIP_STATE__SIP_KILLED;
    if (s->end == SIP_END_EXIT) st = ORCH__SIP_STATE__SIP_EXITED;
    else if (s->end == SIP_END_TRAP) st = ORCH__SIP_STATE__SIP_TRAPPED;
    if (st != ORCH__SIP_STATE__SIP_EXITED) ksnprintf(a->error, sizeof a->error, "%s", s->fault);
    if (a->state != ORCH__SIP_STATE__SIP_FAILED) set_state(a, st, 0);
}

static const struct node_observer observer = { on_sip_log, on_sip_exit };

/* ---- the link ------------------------------------------------------------------------ */

static void on_ready(void *arg, const zmtp_event *ev)
{
    kprintf("ORCH: connected to %u.%u.%u.%u:%u\n", A.ip >> 24, (A.ip >> 16) & 255, (A.ip >> 8) & 255,
            A.ip & 255, A.port);
    send_register();
}

static void on_down(void *arg, const char *why)
{
    kprintf("ORCH: link down (%s); reconnecting in %u ms\n", why, RECONNECT_MS);
    A.registered = 0;
    A.retry_at_ms = now_ms() + RECONNECT_MS;
    orch_module_link_lost();
}

static const struct zlink_ops link_ops = { on_ready, on_message, on_down };

static void connect_now(void)
{
    A.retry_at_ms = 0;
    A.link = zlink_open(A.ip, A.port, A.identity, &link_ops, NULL);
    if (!A.link) { kprintf("ORCH: out of memory for the link\n"); A.retry_at_ms = now_ms() + RECONNECT_MS; }
}

/* "A.B.C.D" -> host-order address; -1 if v is NULL or not that. */
static int parse_ip(const char *v, uint32_t *ip)
{
    if (!v) return -1;
    uint32_t a = 0;
    for (int i = 0; i < 4; i++) {
        char *end;
        unsigned long b = strtoul(v, &end, 10);
        if (end == v || b > 255 || (i < 3 ? *end != '.' : *end != 0)) return -1;
        a = a << 8 | (uint32_t)b;
        v = end + 1;
    }
    *ip = a;
    return 0;
}

int orch_agent_start(uint32_t ip, uint16_t port, const char *token)
{
    const uint8_t *mac = net_netif()->hwaddr;
    A.ip = ip;
    A.port = port;
    A.token = token;
    ksnprintf(A.identity, sizeof A.identity, "metal-%02x%02x%02x%02x%02x%02x", mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
    ksnprintf(A.mac, sizeof A.mac, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
    const char *ncaddr = cmdline_get("ncaddr");
    if (ncaddr && !strncmp(ncaddr, "tcp://", 6) && strlen(ncaddr) < sizeof A.address) strcpy(A.address, ncaddr);
    else ksnprintf(A.address, sizeof A.address, "tcp://%s:5600", ip4addr_ntoa(netif_ip4_addr(net_netif())));
    uint32_t alias;
    if (parse_ip(cmdline_get("hostalias"), &alias) == 0) zmq_shim_set_loopback_alias(alias);
    strcpy(A.node_id, A.identity);
    A.boot_id = ((uint64_t)metal_random32() << 32) | metal_random32();
    node_set_observer(&observer);
    kprintf("ORCH: connecting to the orchestrator at %u.%u.%u.%u:%u as %s\n", ip >> 24, (ip >> 16) & 255,
            (ip >> 8) & 255, ip & 255, port, A.identity);
    connect_now();
    return A.link ? 0 : -1;
}

void orch_agent_poll(void)
{
    if (!A.ip) return;
    if (A.nc) {                         /* netchan: frames in, timers, acks out */
        zmq_shim_poll();
        nc_poll(A.nc, 0);
        nc_migrate_poll(A.nc);
        nc_flush(A.nc);
        zmq_shim_poll();
    }
    if (A.link && !zlink_poll(A.link)) { zlink_free(A.link); A.link = NULL; }
    uint64_t now = now_ms();
    if (!A.link) {
        if (now >= A.retry_at_ms) connect_now();
        return;
    }
    if (!A.registered && A.retry_at_ms && now >= A.retry_at_ms) {   /* refused earlier: try again */
        A.retry_at_ms = 0;
        send_register();
    }
    if (A.registered && now >= A.next_hb_ms) {
        A.next_hb_ms = now + A.hb_interval_ms;
        send_heartbeat();
    }
}
