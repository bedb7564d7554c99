/* orchd's side of live migration (`sipctl migrate APP/SIP --to NODE`). The HTTP thread
 * only records a request in the `migrations` table; the main thread drives it:
 *
 *   requested --MigrateIn-> target        (module + contracts fetched, source known)
 *   preparing <-CommandResult ok-- target
 *             --MigrateOut-> source       (nc_migrate: pause, image, ends)
 *   moving    <-MigrationReport RESUMED-- target   => placement moves to the target
 *             <-MigrationReport DONE------ source  => done, with the downtime
 *             <-MigrationReport FAILED---- source  => failed; the SIP runs on at the source
 *
 * The SIP's placement (node, observed state) changes only when the target says it runs
 * the SIP; until then reports from the target about it are not treated as misplaced. */
#include "orchestrator/orchd.h"
#include "orchestrator/sha256.h"
#include "netchan/proto/orch.pb-c.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PREPARE_TIMEOUT_MS 10000    /* target fetching the module */
#define MOVE_TIMEOUT_MS    30000    /* nc_migrate gives up after 5 s per phase itself */

static const char *jstr(json_t *obj, const char *key)
{
    const char *s = json_string_value(json_object_get(obj, key));
    return s ? s : "";
}

static long long jint(json_t *obj, const char *key)
{
    return (long long)json_integer_value(json_object_get(obj, key));
}

void orch_migrate_init(orchd *o)
{
    store_exec(o->st, "CREATE TABLE IF NOT EXISTS migrations("
               " id INTEGER PRIMARY KEY AUTOINCREMENT, sip_id TEXT, source TEXT, target TEXT,"
               " state TEXT, error TEXT, request_id INTEGER DEFAULT 0, placed INTEGER DEFAULT 0,"
               " downtime_us INTEGER, image_bytes INTEGER, requested_ms INTEGER,"
               " updated_ms INTEGER, ended_ms INTEGER)");
    /* a restart forgets the node sessions these were waiting on */
    store_exec(o->st, "UPDATE migrations SET state = 'failed', error = 'orchd restarted during the"
               " migration', ended_ms = %lld WHERE state IN ('requested','preparing','moving')",
               (long long)store_now_ms());
}

json_t *orch_migrate_request(orchd *o, const char *sip, const char *to, int *status)
{
    char msg[300];
    *status = 400;
    if (!sip || !to || !sip[0] || !to[0])
        return json_pack("{s:s}", "error", "migrate needs JSON {\"sip\": APP/SIP, \"to\": NODE}");
    json_t *rows = store_query(o->st, "SELECT id, node, desired, observed FROM sips WHERE id = %Q OR id = %Q || '/0'",
                               sip, sip);
    json_t *row = json_array_get(rows, 0);
    const char *id = jstr(row, "id"), *node = jstr(row, "node"), *obs = jstr(row, "observed");
    msg[0] = 0;
    if (!row) {
        *status = 404;
        snprintf(msg, sizeof msg, "no SIP named '%.100s'", sip);
    } else if (strcmp(jstr(row, "desired"), "run") || (strcmp(obs, "running") && strcmp(obs, "blocked")))
        snprintf(msg, sizeof msg, "%s is %s, not running: only a running SIP migrates", id, obs);
    else if (!strcmp(node, to))
        snprintf(msg, sizeof msg, "%s runs on %s already", id, to);
    else if (store_int(o->st, 0, "SELECT count(*) FROM nodes WHERE id = %Q", to) == 0) {
        *status = 404;
        snprintf(msg, sizeof msg, "no node named '%.100s'", to);
    } else if (store_int(o->st, 0, "SELECT count(*) FROM nodes WHERE id = %Q AND state = 'ready'", to) == 0)
        snprintf(msg, sizeof msg, "node %s is not ready", to);
    else if (store_int(o->st, 0, "SELECT count(*) FROM nodes WHERE id IN (%Q, %Q) AND platform IN ('hosted', 'metal')",
                       node, to) < 2)      /* the agents that answer MigrateIn/Out */
        snprintf(msg, sizeof msg, "only hosted and metal nodes migrate SIPs (%s -> %s)", node, to);
    else if (store_int(o->st, 0, "SELECT count(*) FROM migrations WHERE sip_id = %Q AND state IN"
                       " ('requested','preparing','moving')", id))
        snprintf(msg, sizeof msg, "%s is migrating already", id);
    if (msg[0]) {
        if (*status == 400)
            *status = 409;
        json_decref(rows);
        return json_pack("{s:s}", "error", msg);
    }
    uint64_t now = store_now_ms();
    store_exec(o->st, "INSERT INTO migrations(sip_id, source, target, state, error, requested_ms, updated_ms)"
               " VALUES(%Q, %Q, %Q, 'requested', '', %lld, %lld)", id, node, to, (long long)now, (long long)now);
    long long mid = store_int(o->st, 0, "SELECT max(id) FROM migrations");
    store_event(o->st, "sip", id, "migration %lld requested: %s -> %s", mid, node, to);
    json_decref(rows);
    *status = 202;
    rows = store_query(o->st, "SELECT * FROM migrations WHERE id = %lld", mid);
    json_t *r = json_incref(json_array_get(rows, 0));
    json_decref(rows);
    return r;
}

json_t *orch_migrate_list(orchd *o, const char *id)
{
    return store_query(o->st, "SELECT * FROM migrations WHERE %Q IS NULL OR id = %lld ORDER BY id",
                       id, id ? atoll(id) : 0LL);
}

static void finish(orchd *o, json_t *m, const char *state, const char *error)
{
    long long id = jint(m, "id");
    uint64_t now = store_now_ms();
    store_exec(o->st, "UPDATE migrations SET state = %Q, error = %Q, ended_ms = %lld, updated_ms = %lld"
               " WHERE id = %lld", state, error ? error : "", (long long)now, (long long)now, id);
    if (!strcmp(state, "failed"))
        store_event(o->st, "sip", jstr(m, "sip_id"), "migration %lld failed: %s; it runs on at %s", id,
                    error, jstr(m, "source"));
}

/* The placement follows the SIP: recorded once the target says it runs there. */
static void place_on_target(orchd *o, json_t *m)
{
    if (jint(m, "placed"))
        return;
    store_exec(o->st, "UPDATE sips SET node = %Q, observed = 'running', updated_ms = %lld WHERE id = %Q",
               jstr(m, "target"), (long long)store_now_ms(), jstr(m, "sip_id"));
    store_exec(o->st, "UPDATE migrations SET placed = 1 WHERE id = %lld", jint(m, "id"));
}

static json_t *load(orchd *o, long long id)
{
    json_t *rows = store_query(o->st, "SELECT * FROM migrations WHERE id = %lld", id);
    json_t *m = json_incref(json_array_get(rows, 0));
    json_decref(rows);
    return m;
}

static int send_in(orchd *o, json_t *m, char *err, size_t errlen)
{
    orch_conn *src = orch_conn_find(o, jstr(m, "source")), *dst = orch_conn_find(o, jstr(m, "target"));
    if (!src || !src->live || !dst || !dst->live) {
        snprintf(err, errlen, "node %s is not connected", (!src || !src->live) ? jstr(m, "source") : jstr(m, "target"));
        return -1;
    }
    json_t *sip = store_query(o->st, "SELECT s.app, s.module_hash, s.incarnation, n.address FROM sips s LEFT JOIN nodes n"
                              " ON n.id = s.node WHERE s.id = %Q", jstr(m, "sip_id"));
    json_t *row = json_array_get(sip, 0);
    uint8_t hash[32];
    if (!row || sha256_parse(jstr(row, "module_hash"), hash)) {
        json_decref(sip);
        snprintf(err, errlen, "the SIP's module is unknown");
        return -1;
    }
    Netchan__Location loc = NETCHAN__LOCATION__INIT;
    loc.node_id = (char *)jstr(m, "source");
    loc.address = (char *)jstr(row, "address");
    loc.epoch = 1;
    Orch__MigrateIn in = ORCH__MIGRATE_IN__INIT;
    in.migration_id = (uint64_t)jint(m, "id");
    in.sip_id = (char *)jstr(m, "sip_id");
    in.source = &loc;
    in.module_hash.data = hash;
    in.module_hash.len = 32;
    in.incarnation = (uint64_t)jint(row, "incarnation");    /* a moved SIP keeps it */
    json_t *ctexts = store_query(o->st, "SELECT file, source FROM contracts WHERE app = %Q ORDER BY rowid",
                                 jstr(row, "app"));
    size_t nct = json_array_size(ctexts);
    Orch__ContractSource *cs = calloc(nct + 1, sizeof *cs);
    in.contracts = calloc(nct + 1, sizeof *in.contracts);
    for (size_t i = 0; i < nct; i++) {
        orch__contract_source__init(&cs[i]);
        cs[i].file = (char *)jstr(json_array_get(ctexts, i), "file");
        cs[i].source.data = (uint8_t *)jstr(json_array_get(ctexts, i), "source");
        cs[i].source.len = strlen((char *)cs[i].source.data);
        in.contracts[in.n_contracts++] = &cs[i];
    }
    Orch__OrchToNode msg = ORCH__ORCH_TO_NODE__INIT;
    msg.body_case = ORCH__ORCH_TO_NODE__BODY_MIGRATE_IN;
    msg.migrate_in = &in;
    uint64_t req = orch_send_conn(o, dst, &msg);
    free(cs);
    free(in.contracts);
    json_decref(ctexts);
    json_decref(sip);
    store_exec(o->st, "UPDATE migrations SET state = 'preparing', request_id = %lld, updated_ms = %lld"
               " WHERE id = %lld", (long long)req, (long long)store_now_ms(), jint(m, "id"));
    store_event(o->st, "sip", jstr(m, "sip_id"), "migration %lld started: %s -> %s", jint(m, "id"),
                jstr(m, "source"), jstr(m, "target"));
    return 0;
}

static void send_out(orchd *o, json_t *m)
{
    orch_conn *src = orch_conn_find(o, jstr(m, "source"));
    if (!src || !src->live) {
        finish(o, m, "failed", "the source node is not connected");
        return;
    }
    char *addr = store_text(o->st, "SELECT address FROM nodes WHERE id = %Q", jstr(m, "target"));
    Netchan__Location loc = NETCHAN__LOCATION__INIT;
    loc.node_id = (char *)jstr(m, "target");
    loc.address = addr ? addr : "";
    loc.epoch = 1;
    Orch__MigrateOut out = ORCH__MIGRATE_OUT__INIT;
    out.migration_id = (uint64_t)jint(m, "id");
    out.sip_id = (char *)jstr(m, "sip_id");
    out.target = &loc;
    Orch__OrchToNode msg = ORCH__ORCH_TO_NODE__INIT;
    msg.body_case = ORCH__ORCH_TO_NODE__BODY_MIGRATE_OUT;
    msg.migrate_out = &out;
    orch_send_conn(o, src, &msg);
    free(addr);
    store_exec(o->st, "UPDATE migrations SET state = 'moving', updated_ms = %lld WHERE id = %lld",
               (long long)store_now_ms(), jint(m, "id"));
}

void orch_migrate_tick(orchd *o)
{
    json_t *rows = store_query(o->st, "SELECT * FROM migrations WHERE state IN ('requested','preparing','moving')");
    size_t i;
    json_t *m;
    long long now = (long long)store_now_ms();
    json_array_foreach(rows, i, m) {
        const char *st = jstr(m, "state");
        char err[200];
        if (!strcmp(st, "requested")) {
            if (send_in(o, m, err, sizeof err))
                finish(o, m, "failed", err);
        } else if (!strcmp(st, "preparing") && now - jint(m, "updated_ms") > PREPARE_TIMEOUT_MS) {
            finish(o, m, "failed", "the target did not get ready in time");
        } else if (!strcmp(st, "moving") && now - jint(m, "updated_ms") > MOVE_TIMEOUT_MS) {
            finish(o, m, jint(m, "placed") ? "done" : "failed", "no report from the source in time");
        }
    }
    json_decref(rows);
}

int orch_migrate_on_result(orchd *o, const char *node, uint64_t request_id, int ok, const char *error)
{
    if (!request_id)
        return 0;
    json_t *m = NULL;
    long long id = store_int(o->st, 0, "SELECT id FROM migrations WHERE state = 'preparing' AND request_id = %lld"
                             " AND target = %Q", (long long)request_id, node);
    if (!id || !(m = load(o, id)))
        return 0;
    if (ok) {
        send_out(o, m);
    } else {
        char why[300];
        snprintf(why, sizeof why, "target %s cannot take it: %s", node, error);
        finish(o, m, "failed", why);
    }
    json_decref(m);
    return 1;
}

void orch_migrate_on_report(orchd *o, const char *node, const Orch__MigrationReport *r)
{
    json_t *m = load(o, (long long)r->migration_id);
    if (!m || strcmp(jstr(m, "sip_id"), r->sip_id)) {
        json_decref(m);
        return;
    }
    int from_source = !strcmp(node, jstr(m, "source")), from_target = !strcmp(node, jstr(m, "target"));
    int active = !strcmp(jstr(m, "state"), "moving") || !strcmp(jstr(m, "state"), "preparing");
    if (r->phase == ORCH__MIGRATION_PHASE__MIGRATION_RESUMED && from_target) {
        place_on_target(o, m);
    } else if (r->phase == ORCH__MIGRATION_PHASE__MIGRATION_DONE && from_source && active) {
        place_on_target(o, m);
        store_exec(o->st, "UPDATE migrations SET downtime_us = %lld, image_bytes = %lld WHERE id = %lld",
                   (long long)r->downtime_us, (long long)r->snapshot_bytes, jint(m, "id"));
        finish(o, m, "done", NULL);
        store_event(o->st, "sip", r->sip_id, "migration %lld completed: %s -> %s, downtime %.3f ms,"
                    " total %lld ms", jint(m, "id"), jstr(m, "source"), jstr(m, "target"),
                    r->downtime_us / 1000.0, (long long)store_now_ms() - jint(m, "requested_ms"));
    } else if (r->phase == ORCH__MIGRATION_PHASE__MIGRATION_FAILED && (from_source || from_target) && active) {
        if (jint(m, "placed"))      /* the target runs it already: keep that */
            finish(o, m, "done", r->error);
        else
            finish(o, m, "failed", r->error[0] ? r->error : "the node gave no reason");
    }
    json_decref(m);
}

int orch_migrate_incoming(orchd *o, const char *node, const char *sip_id)
{
    return store_int(o->st, 0, "SELECT count(*) FROM migrations WHERE sip_id = %Q AND target = %Q AND"
                     " state IN ('preparing','moving')", sip_id, node) > 0;
}
