/* The sipnode's orchestrator agent (see orch_agent.h). One loop: run SIPs for a batch of
 * slices, move netchan frames, read orchd's commands, send a heartbeat when due. Every
 * SIP orchd gave this node keeps a record (even after it ends) so heartbeats carry the
 * full list and orchd can reconcile after its own restart. */
#include "node-kernel/hosted/orch_agent.h"
#include "node-kernel/core/channel.h"
#include "node-kernel/core/proc.h"
#include "node-kernel/core/wasm_sip.h"
#include "node-kernel/hosted/deploy.h"
#include "node-kernel/hosted/loglines.h"
#include "netchan/netchan.h"
#include "netchan/nc_migrate.h"
#include "netchan/proto/orch.pb-c.h"
#include "orchestrator/sha256.h"
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

static struct {
    const char *orch, *id, *nc_listen, *token;
    char **labels; uint32_t nlabels;
    uint64_t memory;
    bool fault_freeze_migrate_in;   /* tests: freeze after answering a MigrateIn */
    bool fault_ignore_ends;         /* tests: as a target, ignore a migration's ends */
} opt = { .memory = 1ull << 30 };

typedef struct agent_sip {
    char id[128], name[SIP_NAME_MAX];
    sip *s;                         /* NULL once ended (or not created yet) */
    uint32_t kid;                   /* kernel SIP id while live */
    Orch__SipState state;
    int32_t exit_code;
    char error[200];
    uint64_t fuel, memory, changed_ms, log_seq;
    uint64_t incarnation;           /* orchd's instance number, echoed in every status */
    Orch__OrchToNode *waiting;      /* a create waiting for its module */
    uint64_t migrating;             /* id of the migration taking it away (0: none) */
} agent_sip;

typedef struct module_entry {
    uint8_t hash[32];
    wasm_module *m;
    int fetching;
    uint8_t *buf; uint64_t got, total;      /* chunks received so far */
} module_entry;

#define MODULE_MAX (64ull << 20)
typedef struct local_end { uint64_t chan; endpoint *ep; } local_end;

typedef struct loaded_set { uint8_t hash[32]; contract_set *set; } loaded_set;

typedef struct prep_in {            /* a MigrateIn waiting for its module */
    uint8_t hash[32];
    uint64_t request_id;
} prep_in;

typedef struct arrival {            /* a SIP announced by MigrateIn: its incarnation */
    char id[128];
    uint64_t incarnation;
} arrival;

static struct {
    kernel *k;
    nc_node *nc;
    loaded_set *csets; uint32_t ncsets;     /* contract sets orchd sent (by content) */
    void *zctx, *dealer;
    agent_sip *sips; uint32_t nsips;
    module_entry *mods; uint32_t nmods;
    local_end *ends; uint32_t nends;
    prep_in *preps; uint32_t npreps;
    arrival *arrivals; uint32_t narrivals;
    int64_t clock_offset_ms;        /* tests: SIPNODE_CLOCK_OFFSET_MS skews reported times */
    uint64_t boot_id, start_ms, hb_seq, next_hb_ms;
    uint32_t hb_ms;
    int registered;
    uint64_t next_register_ms;
} ag;

static volatile sig_atomic_t stopping;
static void on_signal(int sig) { (void)sig; stopping = 1; }

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static uint64_t parse_size(const char *s)
{
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (*end == 'K' || *end == 'k') v <<= 10, end++;
    else if (*end == 'M' || *end == 'm') v <<= 20, end++;
    else if (*end == 'G' || *end == 'g') v <<= 30, end++;
    return *end || end == s ? 0 : v;
}

bool orch_agent_option(int argc, char **argv, int *i)
{
    const char *a = argv[*i];
    if (strncmp(a, "--orch", 6))
        return false;
    if (*i + 1 >= argc) {
        fprintf(stderr, "sipnode: %s needs a value\n", a);
        exit(2);
    }
    const char *v = argv[++*i];
    if (!strcmp(a, "--orch")) opt.orch = v;
    else if (!strcmp(a, "--orch-id")) opt.id = v;
    else if (!strcmp(a, "--orch-nc")) opt.nc_listen = v;
    else if (!strcmp(a, "--orch-token")) opt.token = v;
    else if (!strcmp(a, "--orch-label")) {
        if (!strchr(v, '=') || v[0] == '=') {
            fprintf(stderr, "sipnode: --orch-label: expected KEY=VALUE, got '%s'\n", v);
            exit(2);
        }
        opt.labels = realloc(opt.labels, (opt.nlabels + 1) * sizeof *opt.labels);
        opt.labels[opt.nlabels++] = (char *)v;
    } else if (!strcmp(a, "--orch-memory")) {
        if (!(opt.memory = parse_size(v))) {
            fprintf(stderr, "sipnode: --orch-memory: '%s' is not a size\n", v);
            exit(2);
        }
    } else if (!strcmp(a, "--orch-fault")) {
        if (!strcmp(v, "freeze-after-migrate-in"))
            opt.fault_freeze_migrate_in = true;
        else if (!strcmp(v, "ignore-migration-ends"))
            opt.fault_ignore_ends = true;
        else {
            fprintf(stderr, "sipnode: --orch-fault: freeze-after-migrate-in or ignore-migration-ends\n");
            exit(2);
        }
    } else {
        fprintf(stderr, "sipnode: unknown option %s\n", a);
        exit(2);
    }
    return true;
}

bool orch_agent_enabled(void) { return opt.orch != NULL; }

/* ---- sending ------------------------------------------------------------------------ */

static void send_msg(Orch__NodeToOrch *m)
{
    size_t len = orch__node_to_orch__get_packed_size(m);
    uint8_t *buf = malloc(len + 1);
    orch__node_to_orch__pack(m, buf);
    zmq_send(ag.dealer, buf, len, ZMQ_DONTWAIT);
    free(buf);
}

static void fill_status(const agent_sip *a, Orch__SipStatus *st)
{
    orch__sip_status__init(st);
    st->sip_id = (char *)a->id;
    st->state = a->state;
    st->exit_code = a->exit_code;
    st->error = (char *)a->error;
    st->fuel_used = a->s ? a->s->fuel_used : a->fuel;
    st->memory_bytes = a->memory;
    st->changed_at_ms = a->changed_ms + (uint64_t)ag.clock_offset_ms;
    st->incarnation = a->incarnation;
}

static void report(const agent_sip *a)
{
    Orch__SipStatus st;
    fill_status(a, &st);
    Orch__SipReport r = ORCH__SIP_REPORT__INIT;
    r.status = &st;
    Orch__NodeToOrch m = ORCH__NODE_TO_ORCH__INIT;
    m.body_case = ORCH__NODE_TO_ORCH__BODY_SIP_REPORT;
    m.sip_report = &r;
    send_msg(&m);
}

static void set_state(agent_sip *a, Orch__SipState st, const char *error)
{
    a->state = st;
    a->changed_ms = now_ms();
    snprintf(a->error, sizeof a->error, "%s", error ? error : "");
    report(a);
}

/* Pointers to the status of every SIP; the statuses live in the same allocation. */
static Orch__SipStatus **all_statuses(size_t *n)
{
    Orch__SipStatus **v = calloc(1, (ag.nsips + 1) * (sizeof *v + sizeof **v));
    Orch__SipStatus *st = (Orch__SipStatus *)(v + ag.nsips + 1);
    for (uint32_t i = 0; i < ag.nsips; i++) {
        fill_status(&ag.sips[i], &st[i]);
        v[i] = &st[i];
    }
    *n = ag.nsips;
    return v;
}

static void free_statuses(Orch__SipStatus **v)
{
    free(v);
}

static void send_register(void)
{
    Orch__Register r = ORCH__REGISTER__INIT;
    char mac[32];
    unsigned h = 0;
    for (const char *p = opt.id; *p; p++)
        h = h * 31 + (unsigned char)*p;
    snprintf(mac, sizeof mac, "52:54:00:%02x:%02x:%02x", (h >> 16) & 0xff, (h >> 8) & 0xff, h & 0xff);
    r.identity = (char *)opt.id;
    r.mac = mac;
    r.memory_bytes = opt.memory;
    r.cpus = 1;
    r.netchan_address = (char *)(opt.nc_listen ? opt.nc_listen : "");
    r.join_token = (char *)(opt.token ? opt.token : "");
    r.boot_id = ag.boot_id;
    r.platform = "hosted";
    r.version = "multiplicity-hosted-0.1";
    Orch__Label *labels = calloc(opt.nlabels + 1, sizeof *labels);
    Orch__Label **lp = calloc(opt.nlabels + 1, sizeof *lp);
    char **copies = calloc(opt.nlabels + 1, sizeof *copies);
    for (uint32_t i = 0; i < opt.nlabels; i++) {
        orch__label__init(&labels[i]);
        copies[i] = strdup(opt.labels[i]);
        char *eq = strchr(copies[i], '=');
        *eq = 0;
        labels[i].key = copies[i];
        labels[i].value = eq + 1;
        lp[i] = &labels[i];
    }
    r.labels = lp;
    r.n_labels = opt.nlabels;
    r.sips = all_statuses(&r.n_sips);
    Orch__NodeToOrch m = ORCH__NODE_TO_ORCH__INIT;
    m.body_case = ORCH__NODE_TO_ORCH__BODY_REGISTER;
    m.register_ = &r;
    send_msg(&m);
    free_statuses(r.sips);
    for (uint32_t i = 0; i < opt.nlabels; i++)
        free(copies[i]);
    free(copies);
    free(labels);
    free(lp);
}

static void send_heartbeat(void)
{
    Orch__NodeHeartbeat h = ORCH__NODE_HEARTBEAT__INIT;
    h.node_id = (char *)opt.id;
    h.seq = ++ag.hb_seq;
    h.uptime_ms = now_ms() - ag.start_ms;
    for (uint32_t i = 0; i < ag.nsips; i++)
        if (ag.sips[i].s) {
            h.sips_running++;
            h.memory_used_bytes += ag.sips[i].memory;
        }
    h.sips = all_statuses(&h.n_sips);
    Orch__NodeToOrch m = ORCH__NODE_TO_ORCH__INIT;
    m.body_case = ORCH__NODE_TO_ORCH__BODY_HEARTBEAT;
    m.heartbeat = &h;
    send_msg(&m);
    free_statuses(h.sips);
}

/* ---- SIP records and kernel callbacks ------------------------------------------------ */

static agent_sip *find_sip(const char *id)
{
    for (uint32_t i = 0; i < ag.nsips; i++)
        if (!strcmp(ag.sips[i].id, id))
            return &ag.sips[i];
    return NULL;
}

static agent_sip *find_live(const sip *s)
{
    for (uint32_t i = 0; i < ag.nsips; i++)
        if (ag.sips[i].s == s && ag.sips[i].kid == s->id)
            return &ag.sips[i];
    return NULL;
}

static void print_line(void *arg, const sip *s, const char *line, size_t len)
{
    (void)arg;
    printf("[%s] %.*s\n", s->name, (int)len, line);
    fflush(stdout);
}

static void on_log(void *arg, sip *s, int fd, const char *text, size_t n)
{
    (void)arg;
    loglines_feed(s, text, n, print_line, NULL);
    agent_sip *a = find_live(s);
    if (!a)
        return;
    Orch__SipLog l = ORCH__SIP_LOG__INIT;
    l.sip_id = a->id;
    l.fd = (uint32_t)fd;
    l.seq = ++a->log_seq;
    l.data.data = (uint8_t *)text;
    l.data.len = n;
    Orch__NodeToOrch m = ORCH__NODE_TO_ORCH__INIT;
    m.body_case = ORCH__NODE_TO_ORCH__BODY_SIP_LOG;
    m.sip_log = &l;
    send_msg(&m);
}

static void on_exit_sip(void *arg, sip *s)
{
    (void)arg;
    loglines_flush(s, print_line, NULL);
    agent_sip *a = find_live(s);
    if (!a)
        return;
    a->s = NULL;
    if (s->end == SIP_END_MIGRATED)     /* it runs on the target now: done() reports */
        return;
    a->fuel = s->fuel_used;
    a->exit_code = s->exit_code;
    Orch__SipState st = s->end == SIP_END_EXIT ? ORCH__SIP_STATE__SIP_EXITED
                      : s->end == SIP_END_TRAP ? ORCH__SIP_STATE__SIP_TRAPPED : ORCH__SIP_STATE__SIP_KILLED;
    if (st == ORCH__SIP_STATE__SIP_EXITED)
        fprintf(stderr, "sipnode[%s]: %s exited with status %d\n", opt.id, a->id, s->exit_code);
    else
        fprintf(stderr, "sipnode[%s]: %s %s: %s\n", opt.id, a->id,
                st == ORCH__SIP_STATE__SIP_TRAPPED ? "trapped" : "killed", s->fault);
    set_state(a, st, st == ORCH__SIP_STATE__SIP_EXITED ? NULL : s->fault);
}

/* ---- commands ------------------------------------------------------------------------ */

static module_entry *find_module(const uint8_t *hash)
{
    for (uint32_t i = 0; i < ag.nmods; i++)
        if (!memcmp(ag.mods[i].hash, hash, 32))
            return &ag.mods[i];
    return NULL;
}

/* Give s its end of channel b: local (both ends here) or through netchan. */
static int bind_end(sip *s, const Orch__EndpointBinding *b, char *err, size_t errlen)
{
    const contract *ct = kernel_find_contract(ag.k, b->contract_name, strlen(b->contract_name));
    if (!ct) {
        snprintf(err, errlen, "unknown contract '%s' (start the node with -c FILE.contract)", b->contract_name);
        return -1;
    }
    if (!b->end || !b->peer || !b->end->side) {
        snprintf(err, errlen, "binding '%s' without end or peer", b->name);
        return -1;
    }
    uint64_t chan = b->end->channel_id;
    int side = b->end->side == NETCHAN__SIDE__SIDE_IMP ? CONTRACT_IMP : CONTRACT_EXP;
    if (!strcmp(b->peer->node_id, opt.id)) {
        for (uint32_t i = 0; i < ag.nends; i++)
            if (ag.ends[i].chan == chan) {
                endpoint *ep = ag.ends[i].ep;
                ag.ends[i] = ag.ends[--ag.nends];
                if (sip_wire(s, b->name, ep)) {
                    chan_close(ep);
                    snprintf(err, errlen, "cannot wire '%s'", b->name);
                    return -1;
                }
                return 0;
            }
        endpoint *imp, *exp;
        if (chan_create(ag.k, ct, &imp, &exp)) {
            snprintf(err, errlen, "out of memory for channel %llu", (unsigned long long)chan);
            return -1;
        }
        endpoint *mine = side == CONTRACT_IMP ? imp : exp, *other = side == CONTRACT_IMP ? exp : imp;
        if (sip_wire(s, b->name, mine)) {
            chan_close(mine);
            chan_close(other);
            snprintf(err, errlen, "cannot wire '%s'", b->name);
            return -1;
        }
        ag.ends = realloc(ag.ends, (ag.nends + 1) * sizeof *ag.ends);
        ag.ends[ag.nends++] = (local_end){ chan, other };
        return 0;
    }
    if (!ag.nc) {
        snprintf(err, errlen, "channel to node %s needs netchan (--orch-nc)", b->peer->node_id);
        return -1;
    }
    if (b->peer->address[0])
        nc_add_peer(ag.nc, b->peer->node_id, b->peer->address);
    return nc_wire(ag.nc, s, b->name, ct, chan, side, b->peer->node_id, err, errlen);
}

/* The contract files a create carries, loaded as one set once per distinct content. */
static int load_contract_files(Orch__ContractSource *const *files, size_t n, char *err, size_t errlen);
static int load_contracts(const Orch__SipCreate *c, char *err, size_t errlen)
{
    return load_contract_files(c->contracts, c->n_contracts, err, errlen);
}

static int load_contract_files(Orch__ContractSource *const *files, size_t nfiles, char *err, size_t errlen)
{
    if (!nfiles)
        return 0;
    size_t total = 0;
    for (size_t i = 0; i < nfiles; i++)
        total += files[i]->source.len + strlen(files[i]->file) + 2;
    uint8_t *all = malloc(total + 1), hash[32];
    size_t off = 0;
    for (size_t i = 0; i < nfiles; i++) {
        size_t fl = strlen(files[i]->file);
        memcpy(all + off, files[i]->file, fl + 1);
        off += fl + 1;
        memcpy(all + off, files[i]->source.data, files[i]->source.len);
        off += files[i]->source.len;
        all[off++] = 0;
    }
    sha256(all, off, hash);
    free(all);
    for (uint32_t i = 0; i < ag.ncsets; i++)
        if (!memcmp(ag.csets[i].hash, hash, 32))
            return 0;
    contract_set *set = contract_set_new();
    contract_error ce;
    int rc = 0;
    for (size_t i = 0; i < nfiles && !rc; i++)
        rc = contract_set_add(set, (const char *)files[i]->source.data, files[i]->source.len,
                              files[i]->file, &ce);
    if (!rc)
        rc = contract_set_finish(set, &ce);
    if (!rc && kernel_add_contracts(ag.k, set)) {
        snprintf(ce.text, sizeof ce.text, "cannot add contracts to the kernel");
        rc = -1;
    }
    if (rc) {
        snprintf(err, errlen, "contracts: %.200s", ce.text);
        contract_set_free(set);
        return -1;
    }
    ag.csets = realloc(ag.csets, (ag.ncsets + 1) * sizeof *ag.csets);
    memcpy(ag.csets[ag.ncsets].hash, hash, 32);
    ag.csets[ag.ncsets++].set = set;
    return 0;
}

static void create_now(agent_sip *a, const Orch__SipCreate *c, wasm_module *mod)
{
    sip_quota q = { .memory_bytes = c->memory_limit_bytes, .fuel_slice = c->fuel_slice,
                    .heap_bytes = c->heap_quota_bytes };
    char err[256] = "";
    sip *s = sip_create(ag.k, a->name, &q);
    if (!s) {
        set_state(a, ORCH__SIP_STATE__SIP_FAILED, "out of memory");
        return;
    }
    const char **argv = calloc(c->n_args + 2, sizeof *argv);
    argv[0] = a->name;
    for (size_t i = 0; i < c->n_args; i++)
        argv[i + 1] = c->args[i];
    char **envp = calloc(c->n_env + 1, sizeof *envp);
    for (size_t i = 0; i < c->n_env; i++) {
        size_t n = strlen(c->env[i]->key) + strlen(c->env[i]->value) + 2;
        envp[i] = malloc(n);
        snprintf(envp[i], n, "%s=%s", c->env[i]->key, c->env[i]->value);
    }
    int rc = wasm_sip_attach(s, mod, (uint32_t)c->n_args + 1, argv, (uint32_t)c->n_env,
                             (const char *const *)envp, err, sizeof err);
    for (size_t i = 0; i < c->n_env; i++)
        free(envp[i]);
    free(envp);
    free(argv);
    if (!rc)
        rc = load_contracts(c, err, sizeof err);
    for (size_t i = 0; !rc && i < c->n_bindings; i++)
        rc = bind_end(s, c->bindings[i], err, sizeof err);
    if (rc) {
        sip_kill(s, err);           /* not yet ours in find_live: no report from on_exit */
        fprintf(stderr, "sipnode[%s]: %s failed: %s\n", opt.id, a->id, err);
        set_state(a, ORCH__SIP_STATE__SIP_FAILED, err);
        return;
    }
    a->s = s;
    a->kid = s->id;
    a->memory = q.memory_bytes ? q.memory_bytes : SIP_DEFAULT_MEMORY;
    a->exit_code = 0;
    a->fuel = 0;
    if (!c->start) {            /* orchd starts it once its channel peers exist */
        set_state(a, ORCH__SIP_STATE__SIP_CREATED, NULL);
        return;
    }
    sip_start(s);
    fprintf(stderr, "sipnode[%s]: started %s\n", opt.id, a->id);
    set_state(a, ORCH__SIP_STATE__SIP_RUNNING, NULL);
}

static void on_start(const Orch__SipStart *st)
{
    agent_sip *a = find_sip(st->sip_id);
    if (!a || !a->s || a->state != ORCH__SIP_STATE__SIP_CREATED) {
        if (a)
            report(a);
        return;
    }
    sip_start(a->s);
    fprintf(stderr, "sipnode[%s]: started %s\n", opt.id, a->id);
    set_state(a, ORCH__SIP_STATE__SIP_RUNNING, NULL);
}

static void send_fetch(const uint8_t *hash, uint64_t offset)
{
    Orch__ModuleFetch f = ORCH__MODULE_FETCH__INIT;
    f.hash.data = (uint8_t *)hash;
    f.hash.len = 32;
    f.offset = offset;
    Orch__NodeToOrch m = ORCH__NODE_TO_ORCH__INIT;
    m.body_case = ORCH__NODE_TO_ORCH__BODY_MODULE_FETCH;
    m.module_fetch = &f;
    send_msg(&m);
}

/* ---- migrations (docs/migration.md): MigrateIn readies the target, MigrateOut starts
 * nc_migrate on the source; nc_migrate's hooks turn into MigrationReports. ---------------- */

static void send_result(uint64_t request_id, bool ok, const char *error)
{
    Orch__CommandResult r = ORCH__COMMAND_RESULT__INIT;
    r.request_id = request_id;
    r.ok = ok;
    r.error = (char *)(error ? error : "");
    Orch__NodeToOrch m = ORCH__NODE_TO_ORCH__INIT;
    m.request_id = request_id;
    m.body_case = ORCH__NODE_TO_ORCH__BODY_RESULT;
    m.result = &r;
    send_msg(&m);
}

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
    Orch__NodeToOrch m = ORCH__NODE_TO_ORCH__INIT;
    m.body_case = ORCH__NODE_TO_ORCH__BODY_MIGRATION_REPORT;
    m.migration_report = &r;
    send_msg(&m);
}

/* --orch-fault freeze-after-migrate-in: a target that dies once it said yes. */
static void fault_freeze(void)
{
    if (!opt.fault_freeze_migrate_in)
        return;
    fprintf(stderr, "sipnode[%s]: fault: freezing after accepting a migration\n", opt.id);
    usleep(100000);                 /* let ZeroMQ send the answer first */
    raise(SIGSTOP);
}

/* nc_migrate's find hook: the module of an arriving SIP, from the cache MigrateIn filled. */
static const wasm_module *mig_find(void *arg, const uint8_t hash[MIGRATE_HASH_LEN], char *err, size_t errlen)
{
    (void)arg;
    module_entry *me = find_module(hash);
    if (!me || !me->m) {
        snprintf(err, errlen, "module not in this node's cache");
        return NULL;
    }
    return me->m;
}

/* Source side: the migration is over. On success the SIP lives on the target: forget it. */
static void mig_done(void *arg, const char *sip_name, uint64_t id, bool ok, const char *error,
                     uint64_t elapsed_ns, uint64_t image_bytes)
{
    (void)arg;
    (void)sip_name;
    agent_sip *a = NULL;
    for (uint32_t i = 0; i < ag.nsips; i++)
        if (ag.sips[i].migrating == id)
            a = &ag.sips[i];
    if (!a)
        return;
    char sid[sizeof a->id];
    snprintf(sid, sizeof sid, "%s", a->id);
    a->migrating = 0;
    if (ok) {
        fprintf(stderr, "sipnode[%s]: %s migrated away in %.3f ms\n", opt.id, sid, elapsed_ns / 1e6);
        if (a->s) {                 /* cannot happen after a commit; be safe */
            ag.k->on_exit = NULL;
            sip_kill(a->s, "migrated");
            ag.k->on_exit = on_exit_sip;
        }
        *a = ag.sips[--ag.nsips];
        send_mig_report(id, sid, ORCH__MIGRATION_PHASE__MIGRATION_DONE, elapsed_ns / 1000, image_bytes, NULL);
    } else {
        fprintf(stderr, "sipnode[%s]: migration of %s failed: %s\n", opt.id, sid, error);
        send_mig_report(id, sid, ORCH__MIGRATION_PHASE__MIGRATION_FAILED, 0, image_bytes, error);
    }
}

/* Target side: the SIP runs here now. */
static void mig_arrived(void *arg, sip *t, const char *sip_id, uint64_t id)
{
    (void)arg;
    agent_sip *a = find_sip(sip_id);
    if (a && a->waiting) {
        orch__orch_to_node__free_unpacked(a->waiting, NULL);
        a->waiting = NULL;
    }
    if (!a) {
        ag.sips = realloc(ag.sips, (ag.nsips + 1) * sizeof *ag.sips);
        a = &ag.sips[ag.nsips++];
        memset(a, 0, sizeof *a);
        snprintf(a->id, sizeof a->id, "%s", sip_id);
    }
    snprintf(a->name, sizeof a->name, "%s", t->name);
    a->incarnation = 0;
    for (uint32_t i = 0; i < ag.narrivals; i++)
        if (!strcmp(ag.arrivals[i].id, sip_id)) {       /* a moved SIP keeps its incarnation */
            a->incarnation = ag.arrivals[i].incarnation;
            ag.arrivals[i] = ag.arrivals[--ag.narrivals];
            break;
        }
    a->s = t;
    a->kid = t->id;
    a->memory = t->quota.memory_bytes ? t->quota.memory_bytes : SIP_DEFAULT_MEMORY;
    a->exit_code = 0;
    a->migrating = 0;
    fprintf(stderr, "sipnode[%s]: %s arrived (migration %llu)\n", opt.id, sip_id, (unsigned long long)id);
    set_state(a, ORCH__SIP_STATE__SIP_RUNNING, NULL);
    send_mig_report(id, sip_id, ORCH__MIGRATION_PHASE__MIGRATION_RESUMED, 0, 0, NULL);
}

/* Target: know the source, load the app's contracts, have the module; answer when ready. */
static void on_migrate_in(uint64_t request_id, const Orch__MigrateIn *mi)
{
    char err[256] = "";
    if (!ag.nc)
        snprintf(err, sizeof err, "this node has no netchan (--orch-nc)");
    else if (!mi->source || !mi->source->node_id[0] || mi->module_hash.len != 32)
        snprintf(err, sizeof err, "MigrateIn without source or module hash");
    else if (nc_add_peer(ag.nc, mi->source->node_id, mi->source->address))
        snprintf(err, sizeof err, "cannot reach source node %s", mi->source->node_id);
    else
        load_contract_files(mi->contracts, mi->n_contracts, err, sizeof err);
    if (err[0]) {
        send_result(request_id, false, err);
        return;
    }
    if (strlen(mi->sip_id) < sizeof ag.arrivals[0].id) {
        uint32_t i = 0;
        while (i < ag.narrivals && strcmp(ag.arrivals[i].id, mi->sip_id))
            i++;
        if (i == ag.narrivals) {
            ag.arrivals = realloc(ag.arrivals, (ag.narrivals + 1) * sizeof *ag.arrivals);
            snprintf(ag.arrivals[ag.narrivals++].id, sizeof ag.arrivals[0].id, "%s", mi->sip_id);
        }
        ag.arrivals[i].incarnation = mi->incarnation;
    }
    module_entry *me = find_module(mi->module_hash.data);
    if (me && me->m) {
        send_result(request_id, true, NULL);
        fault_freeze();
        return;
    }
    if (!me) {
        ag.mods = realloc(ag.mods, (ag.nmods + 1) * sizeof *ag.mods);
        me = &ag.mods[ag.nmods++];
        memset(me, 0, sizeof *me);
        memcpy(me->hash, mi->module_hash.data, 32);
    }
    if (!me->fetching) {
        me->fetching = 1;
        send_fetch(me->hash, 0);
    }
    ag.preps = realloc(ag.preps, (ag.npreps + 1) * sizeof *ag.preps);
    memcpy(ag.preps[ag.npreps].hash, me->hash, 32);
    ag.preps[ag.npreps++].request_id = request_id;
}

/* The module of waiting MigrateIns arrived (m) or could not be had (err). */
static void answer_preps(const uint8_t *hash, const wasm_module *m, const char *err)
{
    for (uint32_t i = 0; i < ag.npreps;) {
        if (memcmp(ag.preps[i].hash, hash, 32)) {
            i++;
            continue;
        }
        send_result(ag.preps[i].request_id, m != NULL, m ? NULL : err);
        ag.preps[i] = ag.preps[--ag.npreps];
        if (m)
            fault_freeze();
    }
}

/* Source: pause the SIP and send it to the target (nc_migrate); the outcome comes to
 * mig_done. */
static void on_migrate_out(const Orch__MigrateOut *mo)
{
    char err[256] = "";
    agent_sip *a = find_sip(mo->sip_id);
    if (!ag.nc)
        snprintf(err, sizeof err, "this node has no netchan (--orch-nc)");
    else if (!a || !a->s)
        snprintf(err, sizeof err, "%s does not run on %s", mo->sip_id, opt.id);
    else if (a->state == ORCH__SIP_STATE__SIP_CREATED)
        snprintf(err, sizeof err, "%s is not started yet", mo->sip_id);
    else if (a->migrating)
        snprintf(err, sizeof err, "%s is migrating already", mo->sip_id);
    else if (!mo->target || !mo->target->node_id[0] || !strcmp(mo->target->node_id, opt.id))
        snprintf(err, sizeof err, "bad migration target");
    else if (nc_add_peer(ag.nc, mo->target->node_id, mo->target->address))
        snprintf(err, sizeof err, "cannot reach target node %s", mo->target->node_id);
    if (!err[0]) {
        a->migrating = mo->migration_id;
        if (nc_migrate_start(ag.nc, a->s, mo->target->node_id, mo->migration_id, a->id, err, sizeof err)) {
            a->migrating = 0;
        } else {
            fprintf(stderr, "sipnode[%s]: migrating %s to %s\n", opt.id, a->id, mo->target->node_id);
            send_mig_report(mo->migration_id, a->id, ORCH__MIGRATION_PHASE__MIGRATION_SENT, 0, 0, NULL);
            return;
        }
    }
    fprintf(stderr, "sipnode[%s]: migration of %s refused: %s\n", opt.id, mo->sip_id, err);
    send_mig_report(mo->migration_id, mo->sip_id, ORCH__MIGRATION_PHASE__MIGRATION_FAILED, 0, 0, err);
}

/* Returns true if msg was kept (waiting for a module). */
static bool on_create(Orch__OrchToNode *msg)
{
    const Orch__SipCreate *c = msg->sip_create;
    if (!c->sip_id[0] || strlen(c->sip_id) >= sizeof ag.sips[0].id || c->module_hash.len != 32)
        return false;
    agent_sip *a = find_sip(c->sip_id);
    if (a && (a->s || a->waiting) && a->incarnation == c->incarnation) {   /* a repeated create */
        report(a);
        return false;
    }
    if (a && a->waiting) {                  /* a newer instance replaces one not yet made */
        orch__orch_to_node__free_unpacked(a->waiting, NULL);
        a->waiting = NULL;
    }
    if (a && a->s && !a->migrating) {       /* ... or one still running: end that first */
        fprintf(stderr, "sipnode[%s]: %s incarnation %llu replaces %llu\n", opt.id, a->id,
                (unsigned long long)c->incarnation, (unsigned long long)a->incarnation);
        sip_kill(a->s, "replaced by a newer incarnation");
    }
    if (a && a->s) {                        /* migrating away: leave it be */
        report(a);
        return false;
    }
    if (!a) {
        ag.sips = realloc(ag.sips, (ag.nsips + 1) * sizeof *ag.sips);
        a = &ag.sips[ag.nsips++];
        memset(a, 0, sizeof *a);
        snprintf(a->id, sizeof a->id, "%s", c->sip_id);
    }
    snprintf(a->name, sizeof a->name, "%s", c->name[0] ? c->name : c->sip_id);
    a->incarnation = c->incarnation;
    a->state = ORCH__SIP_STATE__SIP_CREATED;
    a->changed_ms = now_ms();
    a->error[0] = 0;
    module_entry *me = find_module(c->module_hash.data);
    if (me && me->m) {
        create_now(a, c, me->m);
        return false;
    }
    if (!me) {
        ag.mods = realloc(ag.mods, (ag.nmods + 1) * sizeof *ag.mods);
        me = &ag.mods[ag.nmods++];
        memset(me, 0, sizeof *me);
        memcpy(me->hash, c->module_hash.data, 32);
    }
    if (!me->fetching) {
        me->fetching = 1;
        send_fetch(me->hash, 0);
    }
    a->waiting = msg;
    return true;
}

static void on_module(const Orch__ModuleData *d)
{
    if (d->hash.len != 32)
        return;
    module_entry *me = find_module(d->hash.data);
    if (!me || me->m)
        return;
    char err[256] = "";
    uint8_t got[32];
    if (!d->found)
        snprintf(err, sizeof err, "module not found on the orchestrator");
    else if (d->total_size > MODULE_MAX)
        snprintf(err, sizeof err, "module larger than %llu MiB", MODULE_MAX >> 20);
    else if (d->offset != me->got || d->data.len > d->total_size - d->offset || (me->buf && d->total_size != me->total))
        snprintf(err, sizeof err, "module chunk out of order");
    if (!err[0]) {
        if (!me->buf) {
            me->total = d->total_size;
            me->buf = malloc(me->total + 1);
        }
        memcpy(me->buf + me->got, d->data.data, d->data.len);
        me->got += d->data.len;
        if (me->got < me->total) {
            if (d->data.len) {
                send_fetch(me->hash, me->got);       /* the next chunk */
                return;
            }
            snprintf(err, sizeof err, "empty module chunk");
        }
    }
    me->fetching = 0;
    if (err[0])
        ;
    else if (sha256(me->buf, me->total, got), memcmp(got, me->hash, 32))
        snprintf(err, sizeof err, "module content does not match its hash");
    else if (!(me->m = wasm_sip_load_module(me->buf, me->total, err, sizeof err)) && !err[0])
        snprintf(err, sizeof err, "module refused");
    free(me->buf);
    me->buf = NULL;
    me->got = me->total = 0;
    answer_preps(me->hash, me->m, err);
    for (uint32_t i = 0; i < ag.nsips; i++) {
        agent_sip *a = &ag.sips[i];
        if (!a->waiting || memcmp(a->waiting->sip_create->module_hash.data, me->hash, 32))
            continue;
        Orch__OrchToNode *w = a->waiting;
        a->waiting = NULL;
        if (me->m)
            create_now(a, w->sip_create, me->m);
        else
            set_state(a, ORCH__SIP_STATE__SIP_FAILED, err);
        orch__orch_to_node__free_unpacked(w, NULL);
    }
}

static void on_stop(const Orch__SipStop *st)
{
    agent_sip *a = find_sip(st->sip_id);
    if (!a)
        return;
    if (a->waiting) {
        orch__orch_to_node__free_unpacked(a->waiting, NULL);
        a->waiting = NULL;
        set_state(a, ORCH__SIP_STATE__SIP_KILLED, st->reason);
    } else if (a->s) {
        fprintf(stderr, "sipnode[%s]: stopping %s: %s\n", opt.id, a->id, st->reason);
        sip_kill(a->s, st->reason[0] ? st->reason : "stopped by the orchestrator");
    }
}

static void on_message(const uint8_t *buf, size_t len)
{
    Orch__OrchToNode *msg = orch__orch_to_node__unpack(NULL, len, buf);
    if (!msg) {
        fprintf(stderr, "sipnode[%s]: undecodable message from orchd (%zu bytes)\n", opt.id, len);
        return;
    }
    bool kept = false;
    switch (msg->body_case) {
    case ORCH__ORCH_TO_NODE__BODY_REGISTER_ACK:
        if (msg->register_ack->accepted) {
            if (!ag.registered)
                fprintf(stderr, "sipnode[%s]: registered with orchd\n", opt.id);
            ag.registered = 1;
            if (msg->register_ack->heartbeat_interval_ms)
                ag.hb_ms = msg->register_ack->heartbeat_interval_ms;
        } else {
            fprintf(stderr, "sipnode[%s]: orchd: %s\n", opt.id, msg->register_ack->error);
            ag.registered = 0;      /* register (again) */
            ag.next_register_ms = now_ms() + 500;
        }
        break;
    case ORCH__ORCH_TO_NODE__BODY_SIP_CREATE:
        kept = on_create(msg);
        break;
    case ORCH__ORCH_TO_NODE__BODY_SIP_START:
        on_start(msg->sip_start);
        break;
    case ORCH__ORCH_TO_NODE__BODY_SIP_STOP:
        on_stop(msg->sip_stop);
        break;
    case ORCH__ORCH_TO_NODE__BODY_MODULE_DATA:
        on_module(msg->module_data);
        break;
    case ORCH__ORCH_TO_NODE__BODY_MIGRATE_IN:
        on_migrate_in(msg->request_id, msg->migrate_in);
        break;
    case ORCH__ORCH_TO_NODE__BODY_MIGRATE_OUT:
        on_migrate_out(msg->migrate_out);
        break;
    default:
        break;
    }
    if (!kept)
        orch__orch_to_node__free_unpacked(msg, NULL);
}

/* ---- main loop ----------------------------------------------------------------------- */

int orch_agent_main(char **cfiles, uint32_t ncfiles)
{
    char idbuf[64], err[512];
    if (!opt.id) {
        snprintf(idbuf, sizeof idbuf, "node-%d", (int)getpid());
        opt.id = idbuf;
    }
    ag.start_ms = now_ms();
    ag.boot_id = ag.start_ms ^ ((uint64_t)getpid() << 40);
    ag.hb_ms = 500;
    if (getenv("SIPNODE_CLOCK_OFFSET_MS"))
        ag.clock_offset_ms = strtoll(getenv("SIPNODE_CLOCK_OFFSET_MS"), NULL, 10);
    ag.k = kernel_new(0);
    ag.k->on_log = on_log;
    ag.k->on_exit = on_exit_sip;
    deployment d = { 0 };
    if (ncfiles && deploy_contracts(ag.k, &d, cfiles, ncfiles, err, sizeof err)) {
        fprintf(stderr, "sipnode: %s\n", err);
        kernel_free(ag.k);
        deploy_free(&d);
        return 2;
    }
    if (opt.nc_listen) {
        nc_options no = { .node_id = opt.id, .listen = opt.nc_listen };
        if (!(ag.nc = nc_new(ag.k, &no, err, sizeof err))) {
            fprintf(stderr, "sipnode: %s\n", err);
            kernel_free(ag.k);
            deploy_free(&d);
            return 2;
        }
        nc_migrate_hooks mh = { .find = mig_find, .done = mig_done, .arrived = mig_arrived,
                                .fault_ignore_ends = opt.fault_ignore_ends };
        nc_migrate_set_hooks(ag.nc, &mh);
    }
    ag.zctx = zmq_ctx_new();
    ag.dealer = zmq_socket(ag.zctx, ZMQ_DEALER);
    int linger = 0;
    zmq_setsockopt(ag.dealer, ZMQ_LINGER, &linger, sizeof linger);
    if (zmq_connect(ag.dealer, opt.orch)) {
        fprintf(stderr, "sipnode: --orch %s: %s\n", opt.orch, zmq_strerror(zmq_errno()));
        return 2;
    }
    signal(SIGTERM, on_signal);
    signal(SIGINT, on_signal);
    fprintf(stderr, "sipnode[%s]: connecting to orchd at %s\n", opt.id, opt.orch);

    while (!stopping) {
        kernel_run(ag.k, 256);
        if (ag.nc)
            nc_flush(ag.nc);
        bool busy = kernel_busy(ag.k);
        uint64_t now = now_ms();
        if (!ag.registered && now >= ag.next_register_ms) {
            send_register();
            ag.next_register_ms = now + 1000;
        }
        if (ag.registered && now >= ag.next_hb_ms) {
            send_heartbeat();
            ag.next_hb_ms = now + ag.hb_ms;
        }
        /* idle waits happen in nc_poll, so channel traffic (and a migration's downtime)
         * is not held up behind this socket; orchd's commands wait at most one nc_poll */
        zmq_pollitem_t it = { ag.dealer, 0, ZMQ_POLLIN, 0 };
        zmq_poll(&it, 1, busy || ag.nc ? 0 : 5);
        for (int n = 0; n < 64; n++) {
            zmq_msg_t m;
            zmq_msg_init(&m);
            if (zmq_msg_recv(&m, ag.dealer, ZMQ_DONTWAIT) < 0) {
                zmq_msg_close(&m);
                break;
            }
            on_message(zmq_msg_data(&m), zmq_msg_size(&m));
            zmq_msg_close(&m);
        }
        if (ag.nc) {
            nc_poll(ag.nc, busy ? 0 : 5);
            nc_migrate_poll(ag.nc);
        }
        else if (!busy)
            usleep(1000);
    }
    fprintf(stderr, "sipnode[%s]: stopping\n", opt.id);
    if (ag.nc) {
        nc_migrate_forget(ag.nc);
        nc_free(ag.nc);
    }
    for (uint32_t i = 0; i < ag.nends; i++)
        chan_close(ag.ends[i].ep);
    ag.k->on_exit = NULL;
    ag.k->on_log = NULL;
    kernel_free(ag.k);
    deploy_free(&d);
    for (uint32_t i = 0; i < ag.ncsets; i++)
        contract_set_free(ag.csets[i].set);
    free(ag.csets);
    for (uint32_t i = 0; i < ag.nmods; i++) {
        if (ag.mods[i].m)
            wasm_module_free(ag.mods[i].m);
        free(ag.mods[i].buf);
    }
    for (uint32_t i = 0; i < ag.nsips; i++)
        if (ag.sips[i].waiting)
            orch__orch_to_node__free_unpacked(ag.sips[i].waiting, NULL);
    free(ag.mods);
    free(ag.sips);
    free(ag.ends);
    free(ag.preps);
    free(ag.arrivals);
    zmq_close(ag.dealer);
    zmq_ctx_term(ag.zctx);
    return 0;
}
