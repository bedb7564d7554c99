/* The reconcile loop: make observed state follow desired state. Each tick it declares
 * silent nodes dead (their SIPs go back to pending), stops and forgets deleted SIPs,
 * places pending SIPs and sends their creates once every channel peer has a node, and
 * (through orch_sip_ended) applies restart policies with exponential back-off. SIPs
 * joined by channels restart as a group (reset_group). */
#include "orchestrator/orchd.h"
#include "orchestrator/placement.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_BACKOFF_MS     200
#define DEFAULT_MAX_BACKOFF_MS 10000
#define ACTIVE "('starting','created','running','blocked')"

static const char *jstr(json_t *obj, const char *key)
{
    const char *s = json_string_value(json_object_get(obj, key));
    return s ? s : "";
}

static int64_t jint(json_t *obj, const char *key)
{
    return json_integer_value(json_object_get(obj, key));
}

int orch_state_final(const char *s)
{
    return !strcmp(s, "exited") || !strcmp(s, "trapped") || !strcmp(s, "killed") ||
           !strcmp(s, "failed") || !strcmp(s, "lost");
}

/* The channel group of a SIP: its name and the names of every SIP of the app connected
 * to it through channels, directly or not (a JSON array of strings). */
static json_t *channel_group(orchd *o, const char *app, const char *name)
{
    json_t *group = json_array();
    json_array_append_new(group, json_string(name));
    for (size_t i = 0; i < json_array_size(group); i++) {
        const char *n = json_string_value(json_array_get(group, i));
        json_t *rows = store_query(o->st, "SELECT CASE WHEN imp_sip = %Q THEN exp_sip ELSE imp_sip END AS peer"
                                   " FROM channels WHERE app = %Q AND (imp_sip = %Q OR exp_sip = %Q)", n, app, n, n);
        size_t k;
        json_t *r;
        json_array_foreach(rows, k, r) {
            const char *peer = jstr(r, "peer");
            size_t j = 0;
            while (j < json_array_size(group) && strcmp(json_string_value(json_array_get(group, j)), peer))
                j++;
            if (j == json_array_size(group))
                json_array_append_new(group, json_string(peer));
        }
        json_decref(rows);
    }
    return group;
}

/* Channel supervision: a SIP with channels never restarts alone. Its whole channel group
 * is stopped and goes back to `state` (pending or backoff, starting at start_at), and the
 * group's channels get new ids, so the new ends never meet netchan state of the old ones.
 * The members then are created and started together like a fresh deployment. Returns
 * the group size. */
static size_t reset_group(orchd *o, const char *app, const char *name, const char *trigger,
                          const char *state, uint64_t start_at, const char *why)
{
    json_t *group = channel_group(o, app, name);
    size_t n = json_array_size(group);
    if (n < 2) {
        json_decref(group);
        return n;
    }
    uint64_t now = store_now_ms();
    char list[512] = "";
    size_t i;
    json_t *g;
    json_array_foreach(group, i, g) {
        const char *member = json_string_value(g);
        snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", i ? ", " : "", member);
        json_t *rows = store_query(o->st, "SELECT id, node, observed FROM sips WHERE app = %Q AND name = %Q"
                                   " AND desired = 'run'", app, member);
        size_t k;
        json_t *r;
        json_array_foreach(rows, k, r) {
            const char *id = jstr(r, "id"), *obs = jstr(r, "observed");
            if (strcmp(id, trigger) && json_is_string(json_object_get(r, "node")) &&
                (!strcmp(obs, "starting") || !strcmp(obs, "created") || !strcmp(obs, "running") ||
                 !strcmp(obs, "blocked")))
                orch_send_stop(o, jstr(r, "node"), id, "channel peer restarting");
            store_exec(o->st, "UPDATE sips SET observed = %Q, next_start_ms = %lld, updated_ms = %lld"
                       " WHERE id = %Q", state, (long long)start_at, (long long)now, id);
        }
        json_decref(rows);
        json_t *chans = store_query(o->st, "SELECT id FROM channels WHERE app = %Q AND imp_sip = %Q", app, member);
        json_array_foreach(chans, k, r) {
            long long old = (long long)jint(r, "id");
            store_exec(o->st, "INSERT INTO channels(app, contract, imp_sip, imp_ep, exp_sip, exp_ep)"
                       " SELECT app, contract, imp_sip, imp_ep, exp_sip, exp_ep FROM channels WHERE id = %lld;"
                       " DELETE FROM channels WHERE id = %lld", old, old);
        }
        json_decref(chans);
    }
    store_event(o->st, "app", app, "channel group [%s] restarts together: %s", list, why);
    json_decref(group);
    return n;
}

static void check_dead_nodes(orchd *o, uint64_t now)
{
    for (uint32_t i = 0; i < o->nconns; i++) {
        orch_conn *c = &o->conns[i];
        if (!c->live || now - c->last_seen_ms <= o->dead_ms)
            continue;
        c->live = 0;
        o->m.nodes_died++;
        /* its SIPs are rescheduled below: it no longer counts as running any */
        store_exec(o->st, "UPDATE nodes SET state = 'dead', sips_running = 0, memory_used = 0 WHERE id = %Q",
                   c->node_id);
        store_event(o->st, "node", c->node_id, "dead: no heartbeat for %llu ms",
                    (unsigned long long)(now - c->last_seen_ms));
        json_t *rows = store_query(o->st, "SELECT id, app, name FROM sips WHERE node = %Q AND desired = 'run'"
                                   " AND observed IN ('starting','created','running','blocked','pending','backoff')",
                                   c->node_id);
        size_t k;
        json_t *row;
        json_array_foreach(rows, k, row) {
            store_event(o->st, "sip", jstr(row, "id"), "node %s died: rescheduling", c->node_id);
            o->m.rescheduled++;
        }
        store_exec(o->st, "UPDATE sips SET node = NULL, observed = 'pending', next_start_ms = 0"
                   " WHERE node = %Q AND desired = 'run' AND observed IN "
                   "('starting','created','running','blocked','pending','backoff')", c->node_id);
        json_array_foreach(rows, k, row)      /* their channel peers start over with them */
            reset_group(o, jstr(row, "app"), jstr(row, "name"), jstr(row, "id"), "pending", 0, "a member's node died");
        json_decref(rows);
    }
}

static void do_deletions(orchd *o)
{
    json_t *rows = store_query(o->st, "SELECT id, app || '/' || name || '/' || replica AS sip, node, observed"
                               " FROM sips WHERE desired = 'delete'");
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row) {
        if (json_is_string(json_object_get(row, "node")) && !orch_state_final(jstr(row, "observed")))
            orch_send_stop(o, jstr(row, "node"), jstr(row, "sip"), "deleted");
        store_exec(o->st, "DELETE FROM sips WHERE id = %Q", jstr(row, "id"));
        store_event(o->st, "sip", jstr(row, "sip"), "deleted");
    }
    json_decref(rows);
}

/* Build the placement inputs and choose a node for one SIP row; NULL with why. */
static char *choose_node(orchd *o, json_t *sip, char *why, size_t whylen)
{
    json_t *spec = json_loads(jstr(sip, "spec"), 0, NULL);
    om_sip req = { .name = (char *)jstr(sip, "name"), .memory = (uint64_t)jint(sip, "memory") };
    json_t *labels = json_object_get(spec, "labels");
    json_t *aff = json_object_get(spec, "affinity"), *anti = json_object_get(spec, "anti_affinity");
    req.labels = calloc(json_object_size(labels) + 1, sizeof *req.labels);
    const char *k;
    json_t *v;
    json_object_foreach(labels, k, v) {
        req.labels[req.nlabels].key = (char *)k;
        req.labels[req.nlabels++].value = (char *)(json_string_value(v) ? json_string_value(v) : "");
    }
    req.affinity = calloc(json_array_size(aff) + 1, sizeof *req.affinity);
    for (size_t i = 0; i < json_array_size(aff); i++)
        req.affinity[req.naffinity++] = (char *)(json_string_value(json_array_get(aff, i)) ?: "");
    req.anti = calloc(json_array_size(anti) + 1, sizeof *req.anti);
    for (size_t i = 0; i < json_array_size(anti); i++)
        req.anti[req.nanti++] = (char *)(json_string_value(json_array_get(anti, i)) ?: "");

    json_t *nodes = store_query(o->st,
        "SELECT n.id, n.memory, n.labels, (SELECT coalesce(sum(CASE WHEN s.memory > 0 THEN s.memory"
        " ELSE %lld END), 0) FROM sips s WHERE s.node = n.id AND s.desired = 'run'"
        " AND s.observed IN ('starting','created','running','blocked','pending','backoff')) AS used,"
        " (SELECT count(*) FROM sips s WHERE s.node = n.id AND s.desired = 'run'"
        " AND s.observed IN ('starting','created','running','blocked','pending','backoff')) AS nsips"
        " FROM nodes n WHERE n.state = 'ready' ORDER BY n.id", (long long)PL_DEFAULT_MEMORY);
    size_t nn = json_array_size(nodes);
    pl_node *pn = calloc(nn + 1, sizeof *pn);
    json_t **nl = calloc(nn + 1, sizeof *nl);
    om_kv **kvs = calloc(nn + 1, sizeof *kvs);
    uint32_t live = 0;
    for (size_t i = 0; i < nn; i++) {
        json_t *n = json_array_get(nodes, i);
        orch_conn *c = orch_conn_find(o, jstr(n, "id"));
        if (!c || !c->live)
            continue;
        pl_node *p = &pn[live];
        p->id = jstr(n, "id");
        p->memory = (uint64_t)jint(n, "memory");
        p->used = (uint64_t)jint(n, "used");
        p->nsips = (uint32_t)jint(n, "nsips");
        nl[i] = json_loads(jstr(n, "labels"), 0, NULL);
        kvs[i] = calloc(json_object_size(nl[i]) + 1, sizeof **kvs);
        json_object_foreach(nl[i], k, v) {
            kvs[i][p->nlabels].key = (char *)k;
            kvs[i][p->nlabels++].value = (char *)(json_string_value(v) ?: "");
        }
        p->labels = kvs[i];
        live++;
    }
    json_t *others = store_query(o->st, "SELECT name, node, spec FROM sips WHERE app = %Q AND id != %Q"
                                 " AND desired = 'run' AND node IS NOT NULL", jstr(sip, "app"), jstr(sip, "id"));
    size_t np = json_array_size(others);
    pl_placed *pp = calloc(np + 1, sizeof *pp);
    req.anti = realloc(req.anti, (req.nanti + np + 1) * sizeof *req.anti);
    req.affinity = realloc(req.affinity, (req.naffinity + np + 1) * sizeof *req.affinity);
    for (size_t i = 0; i < np; i++) {
        json_t *other = json_array_get(others, i);
        pp[i].sip = jstr(other, "name");
        pp[i].node = jstr(other, "node");
        /* the rules are symmetric: a placed SIP that avoids (or seeks) this one counts too */
        json_t *ospec = json_loads(jstr(other, "spec"), 0, NULL);
        json_t *lists[2] = { json_object_get(ospec, "anti_affinity"), json_object_get(ospec, "affinity") };
        for (int l = 0; l < 2; l++)
            for (size_t j = 0; j < json_array_size(lists[l]); j++)
                if (!strcmp(json_string_value(json_array_get(lists[l], j)) ?: "", req.name)) {
                    if (l == 0)
                        req.anti[req.nanti++] = (char *)pp[i].sip;
                    else
                        req.affinity[req.naffinity++] = (char *)pp[i].sip;
                    break;
                }
        json_decref(ospec);
    }
    int best = place_sip(&req, pn, live, pp, (uint32_t)np, why, whylen);
    char *chosen = best >= 0 ? strdup(pn[best].id) : NULL;
    for (size_t i = 0; i < nn; i++) {
        json_decref(nl[i]);
        free(kvs[i]);
    }
    free(pn); free(nl); free(kvs); free(pp);
    free(req.labels); free(req.affinity); free(req.anti);
    json_decref(others);
    json_decref(nodes);
    json_decref(spec);
    return chosen;
}

static void start_pending(orchd *o, uint64_t now)
{
    json_t *rows = store_query(o->st, "SELECT * FROM sips WHERE desired = 'run' AND observed IN"
                               " ('pending','backoff') AND next_start_ms <= %lld ORDER BY app, name, replica",
                               (long long)now);
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row) {
        const char *id = jstr(row, "id");
        orch_conn *c = json_is_string(json_object_get(row, "node")) ? orch_conn_find(o, jstr(row, "node")) : NULL;
        if (!c || !c->live) {
            char why[256];
            char *node = choose_node(o, row, why, sizeof why);
            if (!node) {
                if (strcmp(jstr(row, "error"), why)) {
                    store_exec(o->st, "UPDATE sips SET node = NULL, error = %Q WHERE id = %Q", why, id);
                    store_event(o->st, "sip", id, "unplaceable: %s", why);
                }
                continue;
            }
            store_exec(o->st, "UPDATE sips SET node = %Q, error = NULL WHERE id = %Q", node, id);
            store_event(o->st, "sip", id, "placed on %s", node);
            json_object_set_new(row, "node", json_string(node));
            free(node);
        }
        /* a new instance: reports about earlier ones no longer count (node_link.c) */
        long long inc = (long long)jint(row, "incarnation") + 1;
        json_object_set_new(row, "incarnation", json_integer(inc));
        if (orch_send_create(o, row))
            continue;           /* a channel peer has no node yet: next tick */
        store_exec(o->st, "UPDATE sips SET observed = 'starting', incarnation = %lld, updated_ms = %lld"
                   " WHERE id = %Q", inc, (long long)now, id);
    }
    json_decref(rows);
}

/* SIPs created without starting (they have channels) start once every channel peer has
 * been created too, so no end receives traffic before its peer end exists. */
static void start_created(orchd *o)
{
    json_t *rows = store_query(o->st,
        "SELECT s.id, s.node FROM sips s WHERE s.desired = 'run' AND s.observed = 'created'"
        " AND EXISTS (SELECT 1 FROM channels c WHERE c.app = s.app AND (c.imp_sip = s.name OR c.exp_sip = s.name))"
        " AND NOT EXISTS (SELECT 1 FROM channels c JOIN sips p ON p.app = c.app AND p.replica = 0"
        "  AND p.name = (CASE WHEN c.imp_sip = s.name THEN c.exp_sip ELSE c.imp_sip END)"
        "  WHERE c.app = s.app AND (c.imp_sip = s.name OR c.exp_sip = s.name)"
        "  AND p.observed IN ('pending','backoff','starting'))");
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row) {
        orch_send_start(o, jstr(row, "node"), jstr(row, "id"));
        store_exec(o->st, "UPDATE sips SET observed = 'running', updated_ms = %lld WHERE id = %Q",
                   (long long)store_now_ms(), jstr(row, "id"));
    }
    json_decref(rows);
}

void orch_sip_ended(orchd *o, const char *sip_id, const char *state, int exit_code, const char *error)
{
    json_t *rows = store_query(o->st, "SELECT * FROM sips WHERE id = %Q", sip_id);
    json_t *row = json_array_get(rows, 0);
    if (!row) {
        json_decref(rows);
        return;
    }
    uint64_t now = store_now_ms();
    store_exec(o->st, "UPDATE sips SET observed = %Q, exit_code = %d, error = %Q, updated_ms = %lld WHERE id = %Q",
               state, exit_code, error && error[0] ? error : NULL, (long long)now, sip_id);
    if (!strcmp(state, "exited"))
        store_event(o->st, "sip", sip_id, "exited with status %d on %s", exit_code, jstr(row, "node"));
    else    /* "trapped on node1: integer divide by zero", not "...: trap: integer..." */
        store_event(o->st, "sip", sip_id, "%s on %s: %s", state, jstr(row, "node"),
                    !error ? "" : !strncmp(error, "trap: ", 6) ? error + 6 : error);
    const char *policy = jstr(row, "restart");
    int failed = strcmp(state, "exited") || exit_code != 0;
    int restart = !strcmp(policy, "always") || (!strcmp(policy, "on-failure") && failed);
    if (restart && strcmp(jstr(row, "desired"), "run"))
        restart = 0;
    if (restart) {
        int64_t n = jint(row, "restarts") + 1;
        uint64_t base = jint(row, "backoff_ms") > 0 ? (uint64_t)jint(row, "backoff_ms") : DEFAULT_BACKOFF_MS;
        uint64_t max = jint(row, "max_backoff_ms") > 0 ? (uint64_t)jint(row, "max_backoff_ms") : DEFAULT_MAX_BACKOFF_MS;
        uint64_t delay = base << (n - 1 < 20 ? n - 1 : 20);
        if (delay > max)
            delay = max;
        store_exec(o->st, "UPDATE sips SET observed = 'backoff', restarts = %lld, next_start_ms = %lld"
                   " WHERE id = %Q", (long long)n, (long long)(now + delay), sip_id);
        store_event(o->st, "sip", sip_id, "restart #%lld (%s) in %llu ms", (long long)n, policy,
                    (unsigned long long)delay);
        reset_group(o, jstr(row, "app"), jstr(row, "name"), sip_id, "backoff", now + delay, "a member ended");
        o->m.sips_restarted++;
    }
    json_decref(rows);
}

void orch_reconcile(orchd *o)
{
    uint64_t now = store_now_ms();
    check_dead_nodes(o, now);
    do_deletions(o);
    start_pending(o, now);
    start_created(o);
}
