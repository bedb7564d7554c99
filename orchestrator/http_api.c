/* orchd's HTTP server (libmicrohttpd, 127.0.0.1 only): the JSON API sipctl uses, the
 * Prometheus metrics and the status page.
 *
 *   GET    /api/v1/nodes | apps | sips[?app=A] | channels | events[?after=ID]
 *   GET    /api/v1/logs?sip=ID[&after=N]      (ID may be app/sip: every replica)
 *   GET    /api/v1/describe?kind=node|app|sip&name=N
 *   POST   /api/v1/apply      {"file": name, "text": yaml, "base": dir for module paths}
 *   DELETE /api/v1/apps/NAME
 *   POST   /api/v1/migrate    {"sip": APP/SIP, "to": NODE}  (202: follow GET migrations?id=N)
 *   GET    /api/v1/migrations[?id=N]
 *   GET    /metrics, GET /
 *
 * Errors are JSON {"error": "..."} with a 4xx/5xx status. */
#include "orchestrator/orchd.h"
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BODY_MAX (4u << 20)

typedef struct req_body { char *data; size_t len; int too_big; } req_body;

static enum MHD_Result send_text(struct MHD_Connection *c, int status, const char *type, char *text)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE);
    MHD_add_response_header(r, "Content-Type", type);
    enum MHD_Result ret = MHD_queue_response(c, (unsigned)status, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result send_json(struct MHD_Connection *c, int status, json_t *j)
{
    char *text = json_dumps(j, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
    json_decref(j);
    return send_text(c, status, "application/json", text ? text : strdup("null"));
}

static json_t *err_json(const char *msg) { return json_pack("{s:s}", "error", msg); }

static const char *arg(struct MHD_Connection *c, const char *key)
{
    return MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, key);
}

static json_t *describe(orchd *o, const char *kind, const char *name, int *status)
{
    json_t *rows = NULL, *r = NULL;
    *status = 200;
    if (!kind || !name) {
        *status = 400;
        return err_json("describe needs kind and name");
    }
    if (!strcmp(kind, "node")) {
        rows = store_query(o->st, "SELECT * FROM nodes WHERE id = %Q", name);
        if ((r = json_array_get(rows, 0))) {
            json_incref(r);
            json_object_set_new(r, "sips", store_query(o->st, "SELECT id, observed, restarts FROM sips"
                                                       " WHERE node = %Q ORDER BY id", name));
        }
    } else if (!strcmp(kind, "app")) {
        rows = store_query(o->st, "SELECT * FROM apps WHERE name = %Q", name);
        if ((r = json_array_get(rows, 0))) {
            json_incref(r);
            json_object_set_new(r, "sips", store_query(o->st, "SELECT id, node, observed, exit_code, restarts,"
                                                       " error FROM sips WHERE app = %Q ORDER BY id", name));
            json_object_set_new(r, "channels", store_query(o->st, "SELECT * FROM channels WHERE app = %Q", name));
        }
    } else if (!strcmp(kind, "sip")) {
        rows = store_query(o->st, "SELECT * FROM sips WHERE id = %Q OR id = %Q || '/0'", name, name);
        if ((r = json_array_get(rows, 0))) {
            json_incref(r);
            json_t *spec = json_loads(json_string_value(json_object_get(r, "spec")) ?: "{}", 0, NULL);
            json_object_set_new(r, "spec", spec ? spec : json_null());
            json_object_set_new(r, "events", store_query(o->st, "SELECT ts_ms, message FROM events WHERE object = %Q"
                                                         " ORDER BY id DESC LIMIT 20",
                                                         json_string_value(json_object_get(r, "id"))));
        }
    } else {
        *status = 400;
        return err_json("kind is node, app or sip");
    }
    json_decref(rows);
    if (!r) {
        *status = 404;
        char msg[200];
        snprintf(msg, sizeof msg, "no %s named '%.100s'", kind, name);
        return err_json(msg);
    }
    return r;
}

static json_t *get_api(orchd *o, struct MHD_Connection *c, const char *what, int *status)
{
    *status = 200;
    if (!strcmp(what, "nodes"))
        return store_query(o->st, "SELECT id, state, address, memory, memory_used, sips_running, labels, mac,"
                           " platform, last_seen_ms FROM nodes ORDER BY id");
    if (!strcmp(what, "apps"))
        return store_query(o->st, "SELECT a.name, a.file, a.created_ms, (SELECT count(*) FROM sips s WHERE"
                           " s.app = a.name) AS sips, (SELECT count(*) FROM sips s WHERE s.app = a.name AND"
                           " s.observed IN ('running','blocked','created')) AS running,"
                           " (SELECT count(*) FROM channels c WHERE c.app = a.name) AS channels"
                           " FROM apps a ORDER BY a.name");
    if (!strcmp(what, "sips")) {
        const char *app = arg(c, "app");
        return store_query(o->st, "SELECT id, app, name, node, desired, observed, exit_code, restarts, error,"
                           " fuel_used, next_start_ms FROM sips WHERE %Q IS NULL OR app = %Q ORDER BY id", app, app);
    }
    if (!strcmp(what, "channels"))
        return store_query(o->st, "SELECT c.id, c.app, c.contract, c.imp_sip || '.' || c.imp_ep AS from_end,"
                           " c.exp_sip || '.' || c.exp_ep AS to_end,"
                           " (SELECT node FROM sips WHERE app = c.app AND name = c.imp_sip AND replica = 0) AS from_node,"
                           " (SELECT node FROM sips WHERE app = c.app AND name = c.exp_sip AND replica = 0) AS to_node"
                           " FROM channels c ORDER BY c.id");
    if (!strcmp(what, "events")) {
        const char *after = arg(c, "after");
        return store_query(o->st, "SELECT id, ts_ms, kind, object, message FROM events WHERE id > %lld ORDER BY id",
                           after ? atoll(after) : 0LL);
    }
    if (!strcmp(what, "logs")) {
        const char *sip = arg(c, "sip"), *after = arg(c, "after");
        if (!sip) {
            *status = 400;
            return err_json("logs needs ?sip=ID");
        }
        return store_query(o->st, "SELECT id, sip_id, fd, data FROM logs WHERE (sip_id = %Q OR"
                           " substr(sip_id, 1, length(%Q) + 1) = %Q || '/') AND id > %lld ORDER BY id",
                           sip, sip, sip, after ? atoll(after) : 0LL);
    }
    if (!strcmp(what, "migrations"))
        return orch_migrate_list(o, arg(c, "id"));
    if (!strcmp(what, "describe"))
        return describe(o, arg(c, "kind"), arg(c, "name"), status);
    *status = 404;
    return err_json("no such API path");
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                              const char *version, const char *upload, size_t *upload_size, void **con_cls)
{
    orchd *o = cls;
    int is_post = !strcmp(method, "POST");
    if (is_post) {
        req_body *b = *con_cls;
        if (!b) {
            *con_cls = calloc(1, sizeof *b);
            return MHD_YES;
        }
        if (*upload_size) {
            if (b->len + *upload_size > BODY_MAX) {
                b->too_big = 1;
            } else {
                b->data = realloc(b->data, b->len + *upload_size + 1);
                memcpy(b->data + b->len, upload, *upload_size);
                b->len += *upload_size;
                b->data[b->len] = 0;
            }
            *upload_size = 0;
            return MHD_YES;
        }
    }
    int status = 200;
    json_t *out = NULL;
    pthread_mutex_lock(&o->lock);
    o->m.http_requests++;
    if (!strcmp(method, "GET") && !strcmp(url, "/")) {
        char *page = orch_status_page(o);
        pthread_mutex_unlock(&o->lock);
        return send_text(c, 200, "text/html; charset=utf-8", page);
    }
    if (!strcmp(method, "GET") && !strcmp(url, "/metrics")) {
        char *text = orch_metrics_text(o);
        pthread_mutex_unlock(&o->lock);
        return send_text(c, 200, "text/plain; version=0.0.4", text);
    }
    if (!strcmp(method, "GET") && !strncmp(url, "/api/v1/", 8)) {
        out = get_api(o, c, url + 8, &status);
    } else if (is_post && !strcmp(url, "/api/v1/apply")) {
        req_body *b = *con_cls;
        json_error_t je;
        json_t *in = b->too_big ? NULL : json_loadb(b->data ? b->data : "", b->len, 0, &je);
        const char *file = json_string_value(json_object_get(in, "file"));
        json_t *text = json_object_get(in, "text");
        if (b->too_big) {
            status = 413;
            out = err_json("request larger than 4 MiB");
        } else if (!json_is_string(text)) {
            status = 400;
            out = err_json("apply needs JSON {\"file\", \"text\", \"base\"}");
        } else {
            out = orch_apply(o, file ? file : "manifest", json_string_value(text), json_string_length(text),
                             json_string_value(json_object_get(in, "base")), &status);
        }
        json_decref(in);
    } else if (is_post && !strcmp(url, "/api/v1/migrate")) {
        req_body *b = *con_cls;
        json_t *in = b->too_big ? NULL : json_loadb(b->data ? b->data : "", b->len, 0, NULL);
        out = orch_migrate_request(o, json_string_value(json_object_get(in, "sip")),
                                   json_string_value(json_object_get(in, "to")), &status);
        json_decref(in);
    } else if (!strcmp(method, "DELETE") && !strncmp(url, "/api/v1/apps/", 13)) {
        out = orch_delete_app(o, url + 13, &status);
    } else {
        status = 404;
        out = err_json("not found");
    }
    if (is_post || !strcmp(method, "DELETE"))
        o->kick = 1;            /* the main loop acts on the new desired state at once */
    pthread_mutex_unlock(&o->lock);
    return send_json(c, status, out);
}

static void done(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode t)
{
    req_body *b = *con_cls;
    if (b) {
        free(b->data);
        free(b);
        *con_cls = NULL;
    }
}

void *orch_http_start(orchd *o, unsigned port, char *err, size_t errlen)
{
    struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    struct MHD_Daemon *d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG, (uint16_t)port,
                                            NULL, NULL, handle, o,
                                            MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
                                            MHD_OPTION_NOTIFY_COMPLETED, done, NULL,
                                            MHD_OPTION_CONNECTION_TIMEOUT, 30u,
                                            MHD_OPTION_END);
    if (!d)
        snprintf(err, errlen, "cannot serve HTTP on 127.0.0.1:%u", port);
    return d;
}

void orch_http_stop(void *d)
{
    if (d)
        MHD_stop_daemon(d);
}
