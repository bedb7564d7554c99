/* The status page (GET /: nodes, SIPs, channels, recent events as HTML tables, refreshed
 * every two seconds) and the Prometheus metrics text (GET /metrics). */
#include "orchestrator/orchd.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct buf { char *p; size_t len, cap; } buf;

static void put(buf *b, const char *fmt, ...)
{
    va_list ap;
    for (;;) {
        va_start(ap, fmt);
        int n = vsnprintf(b->p ? b->p + b->len : NULL, b->p ? b->cap - b->len : 0, fmt, ap);
        va_end(ap);
        if (n >= 0 && b->p && b->len + (size_t)n < b->cap) {
            b->len += (size_t)n;
            return;
        }
        b->cap = (b->cap + (size_t)(n > 0 ? n : 0) + 1) * 2;
        b->p = realloc(b->p, b->cap);
    }
}

static void put_escaped(buf *b, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '<': put(b, "&lt;"); break;
        case '>': put(b, "&gt;"); break;
        case '&': put(b, "&amp;"); break;
        case '"': put(b, "&quot;"); break;
        default: put(b, "%c", *s); break;
        }
    }
}

static void put_value(buf *b, json_t *v)
{
    if (json_is_string(v))
        put_escaped(b, json_string_value(v));
    else if (json_is_integer(v))
        put(b, "%lld", (long long)json_integer_value(v));
    else if (!json_is_null(v) && v)
        put(b, "?");
}

/* One table: columns name the JSON keys; the id attribute lets tests find it. */
static void table(buf *b, const char *id, const char *title, json_t *rows, const char *const *cols)
{
    put(b, "<h2>%s (%zu)</h2>\n<table id=\"%s\"><tr>", title, json_array_size(rows), id);
    for (const char *const *c = cols; *c; c++)
        put(b, "<th>%s</th>", *c);
    put(b, "</tr>\n");
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row) {
        put(b, "<tr>");
        for (const char *const *c = cols; *c; c++) {
            put(b, "<td>");
            put_value(b, json_object_get(row, *c));
            put(b, "</td>");
        }
        put(b, "</tr>\n");
    }
    put(b, "</table>\n");
    json_decref(rows);
}

char *orch_status_page(orchd *o)
{
    buf b = { 0 };
    put(&b, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Multiplicity cluster</title>\n"
            "<meta http-equiv=\"refresh\" content=\"2\">\n<style>body{font-family:sans-serif;margin:1em}"
            "table{border-collapse:collapse;margin-bottom:1em}td,th{border:1px solid #999;padding:2px 8px}"
            "th{background:#eee}</style></head><body>\n<h1>Multiplicity cluster</h1>\n");
    int64_t live = store_int(o->st, 0, "SELECT count(*) FROM nodes WHERE state = 'ready'");
    int64_t running = store_int(o->st, 0, "SELECT count(*) FROM sips WHERE observed IN ('running','blocked','created')");
    put(&b, "<p id=\"summary\">%lld live nodes, %lld running SIPs</p>\n", (long long)live, (long long)running);
    static const char *const ncols[] = { "id", "state", "address", "memory", "labels", "sips_running", NULL };
    table(&b, "nodes", "Nodes", store_query(o->st, "SELECT * FROM nodes ORDER BY id"), ncols);
    static const char *const scols[] = { "id", "node", "observed", "exit_code", "restarts", "error", NULL };
    table(&b, "sips", "SIPs", store_query(o->st, "SELECT * FROM sips ORDER BY id"), scols);
    static const char *const ccols[] = { "id", "app", "contract", "from_end", "to_end", NULL };
    table(&b, "channels", "Channels", store_query(o->st, "SELECT id, app, contract, imp_sip || '.' || imp_ep"
          " AS from_end, exp_sip || '.' || exp_ep AS to_end FROM channels ORDER BY id"), ccols);
    static const char *const ecols[] = { "id", "kind", "object", "message", NULL };
    table(&b, "events", "Recent events", store_query(o->st, "SELECT * FROM events ORDER BY id DESC LIMIT 30"), ecols);
    put(&b, "</body></html>\n");
    return b.p;
}

char *orch_metrics_text(orchd *o)
{
    buf b = { 0 };
    const orch_metrics *m = &o->m;
    struct { const char *name, *help; uint64_t v; } counters[] = {
        { "frames_in", "orch.proto frames received from nodes", m->frames_in },
        { "frames_out", "orch.proto frames sent to nodes", m->frames_out },
        { "bad_frames", "frames that did not decode or were unexpected", m->bad_frames },
        { "registrations", "node registrations accepted", m->registrations },
        { "heartbeats", "node heartbeats received", m->heartbeats },
        { "sip_creates", "SIP create commands sent", m->sips_created },
        { "sip_restarts", "SIP restarts scheduled by restart policies", m->sips_restarted },
        { "node_deaths", "nodes declared dead", m->nodes_died },
        { "sips_rescheduled", "SIPs moved off dead or restarted nodes", m->rescheduled },
        { "applies", "manifest applies", m->applies },
        { "apply_errors", "manifest applies refused", m->apply_errors },
        { "http_requests", "HTTP requests served", m->http_requests },
        { "modules_served", "modules sent to nodes", m->modules_served },
    };
    for (size_t i = 0; i < sizeof counters / sizeof *counters; i++)
        put(&b, "# HELP orchd_%s_total %s\n# TYPE orchd_%s_total counter\norchd_%s_total %llu\n",
            counters[i].name, counters[i].help, counters[i].name, counters[i].name,
            (unsigned long long)counters[i].v);
    put(&b, "# HELP orchd_nodes Nodes by state\n# TYPE orchd_nodes gauge\n");
    json_t *rows = store_query(o->st, "SELECT state, count(*) AS n FROM nodes GROUP BY state");
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row)
        put(&b, "orchd_nodes{state=\"%s\"} %lld\n", json_string_value(json_object_get(row, "state")) ?: "",
            (long long)json_integer_value(json_object_get(row, "n")));
    json_decref(rows);
    put(&b, "# HELP orchd_sips SIPs by observed state\n# TYPE orchd_sips gauge\n");
    rows = store_query(o->st, "SELECT observed, count(*) AS n FROM sips GROUP BY observed");
    json_array_foreach(rows, i, row)
        put(&b, "orchd_sips{state=\"%s\"} %lld\n", json_string_value(json_object_get(row, "observed")) ?: "",
            (long long)json_integer_value(json_object_get(row, "n")));
    json_decref(rows);
    put(&b, "# HELP orchd_apps Applications\n# TYPE orchd_apps gauge\norchd_apps %lld\n",
        (long long)store_int(o->st, 0, "SELECT count(*) FROM apps"));
    put(&b, "# HELP orchd_uptime_seconds Seconds since orchd started\n# TYPE orchd_uptime_seconds gauge\n"
            "orchd_uptime_seconds %llu\n", (unsigned long long)((store_now_ms() - o->started_ms) / 1000));
    return b.p;
}
