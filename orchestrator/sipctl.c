/* sipctl: the command-line client of orchd's HTTP API.
 *
 *   sipctl [-s URL] apply -f APP.yaml
 *   sipctl [-s URL] delete APP
 *   sipctl [-s URL] get nodes|apps|sips|channels [-o json]
 *   sipctl [-s URL] describe node|app|sip NAME [-o json]
 *   sipctl [-s URL] logs SIP [-f]          (SIP: app/sip/replica, or app/sip for all)
 *   sipctl [-s URL] events [-o json] [-f]
 *   sipctl [-s URL] migrate APP/SIP --to NODE [-o json]   (waits for the outcome)
 *   sipctl pxe ... | fleet ...              (network boot, VM fleets: sipctl_pxe.c, sipctl_fleet.c)
 *
 * URL defaults to $SIPCTL_SERVER or http://127.0.0.1:7780. Exit status: 0 on success,
 * 1 if orchd refused the request (its message is printed), 2 on usage errors, 3 if orchd
 * cannot be reached. */
#include <curl/curl.h>
#include <errno.h>
#include "orchestrator/sipctl_fleet.h"
#include "orchestrator/sipctl_pxe.h"
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char *server;

typedef struct resp { char *data; size_t len; } resp;

static size_t on_data(char *p, size_t sz, size_t n, void *arg)
{
    resp *r = arg;
    r->data = realloc(r->data, r->len + sz * n + 1);
    memcpy(r->data + r->len, p, sz * n);
    r->len += sz * n;
    r->data[r->len] = 0;
    return sz * n;
}

/* One request; returns the HTTP status (0 if unreachable) and the parsed JSON body. */
static long request(const char *method, const char *path, const char *body, json_t **out)
{
    char url[1024];
    snprintf(url, sizeof url, "%s%s", server, path);
    CURL *c = curl_easy_init();
    resp r = { 0 };
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &r);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
    curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
    struct curl_slist *h = NULL;
    if (body) {
        h = curl_slist_append(h, "Content-Type: application/json");
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    }
    long status = 0;
    CURLcode rc = curl_easy_perform(c);
    if (rc == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    else
        fprintf(stderr, "sipctl: %s: %s (is orchd running there? -s URL or SIPCTL_SERVER)\n",
                server, curl_easy_strerror(rc));
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    *out = r.data ? json_loads(r.data, 0, NULL) : NULL;
    free(r.data);
    return status;
}

/* GET path or exit with a message. */
static json_t *get(const char *path)
{
    json_t *j;
    long st = request("GET", path, NULL, &j);
    if (!st)
        exit(3);
    if (st >= 400 || !j) {
        fprintf(stderr, "sipctl: %s\n", json_string_value(json_object_get(j, "error")) ?: "bad answer");
        exit(1);
    }
    return j;
}

static void print_json(json_t *j)
{
    char *s = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    puts(s ? s : "null");
    free(s);
}

static char *cell(json_t *v)
{
    char buf[64];
    if (json_is_string(v))
        return strdup(json_string_value(v));
    if (json_is_integer(v)) {
        snprintf(buf, sizeof buf, "%lld", (long long)json_integer_value(v));
        return strdup(buf);
    }
    if (json_is_null(v) || !v)
        return strdup("-");
    char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
    return s ? s : strdup("?");
}

/* Columns: "key:HEADER" pairs. */
static void print_table(json_t *rows, const char *const *cols)
{
    size_t nc = 0;
    while (cols[nc])
        nc++;
    size_t nr = json_array_size(rows);
    char ***cells = calloc(nr + 1, sizeof *cells);
    size_t *w = calloc(nc, sizeof *w);
    const char **keys = calloc(nc, sizeof *keys), **heads = calloc(nc, sizeof *heads);
    char **kcopy = calloc(nc, sizeof *kcopy);
    for (size_t c = 0; c < nc; c++) {
        kcopy[c] = strdup(cols[c]);
        char *colon = strchr(kcopy[c], ':');
        *colon = 0;
        keys[c] = kcopy[c];
        heads[c] = colon + 1;
        w[c] = strlen(heads[c]);
    }
    for (size_t r = 0; r < nr; r++) {
        cells[r] = calloc(nc, sizeof **cells);
        for (size_t c = 0; c < nc; c++) {
            cells[r][c] = cell(json_object_get(json_array_get(rows, r), keys[c]));
            if (strlen(cells[r][c]) > w[c])
                w[c] = strlen(cells[r][c]);
        }
    }
    for (size_t c = 0; c < nc; c++)
        printf("%-*s%s", c + 1 < nc ? (int)w[c] : 0, heads[c], c + 1 < nc ? "  " : "\n");
    for (size_t r = 0; r < nr; r++) {
        for (size_t c = 0; c < nc; c++) {
            printf("%-*s%s", c + 1 < nc ? (int)w[c] : 0, cells[r][c], c + 1 < nc ? "  " : "\n");
            free(cells[r][c]);
        }
        free(cells[r]);
    }
    for (size_t c = 0; c < nc; c++)
        free(kcopy[c]);
    free(kcopy); free(keys); free(heads); free(cells); free(w);
}

static const char *const node_cols[] = { "id:NAME", "state:STATE", "address:NETCHAN", "memory:MEMORY",
                                         "sips_running:SIPS", "labels:LABELS", NULL };
static const char *const app_cols[] = { "name:APP", "sips:SIPS", "running:RUNNING", "channels:CHANNELS",
                                        "file:FILE", NULL };
static const char *const sip_cols[] = { "id:SIP", "node:NODE", "observed:STATE", "exit_code:EXIT",
                                        "restarts:RESTARTS", "error:ERROR", NULL };
static const char *const chan_cols[] = { "id:ID", "app:APP", "contract:CONTRACT", "from_end:FROM",
                                         "from_node:NODE", "to_end:TO", "to_node:NODE", NULL };
static const char *const event_cols[] = { "id:ID", "time:TIME", "kind:KIND", "object:OBJECT", "message:MESSAGE", NULL };

static const char usage_text[] =
    "usage: sipctl [-s URL] apply -f APP.yaml\n"
    "       sipctl [-s URL] delete APP\n"
    "       sipctl [-s URL] get nodes|apps|sips|channels [-o json]\n"
    "       sipctl [-s URL] describe node|app|sip NAME [-o json]\n"
    "       sipctl [-s URL] logs SIP [-f]\n"
    "       sipctl [-s URL] events [-o json] [-f]\n"
    "       sipctl [-s URL] migrate APP/SIP --to NODE [-o json]\n"
    "       sipctl pxe config|script|chain|serve ...   (sipctl pxe --help)\n"
    "       sipctl fleet up|status|down ...            (sipctl fleet --help)\n";

static void usage(void)
{
    fputs(usage_text, stderr);
    exit(2);
}

/* `sipctl --help`: the usage text and where orchd is looked for, on stdout, exit 0. */
static void help(void)
{
    fputs(usage_text, stdout);
    printf("\norchd's HTTP address: -s URL, else $SIPCTL_SERVER, else http://127.0.0.1:7780.\n"
           "SIP names: APP/SIP/REPLICA (logs and describe also take APP/SIP).\n"
           "Exit status: 0 ok, 1 refused by orchd, 2 usage, 3 orchd unreachable.\n");
    exit(0);
}

/* A usage error that says what was wrong before the usage text. */
static void usage_because(const char *what)
{
    fprintf(stderr, "sipctl: %s\n", what);
    usage();
}

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "sipctl: %s: %s\n", path, strerror(errno));
        exit(1);
    }
    char *buf = NULL;
    size_t n = 0, got;
    do {
        buf = realloc(buf, n + 65536 + 1);
        got = fread(buf + n, 1, 65536, f);
        n += got;
    } while (got > 0 && n < (4u << 20));
    fclose(f);
    buf[n] = 0;
    if (strlen(buf) != n) {
        fprintf(stderr, "sipctl: %s: contains a NUL byte\n", path);
        exit(1);
    }
    return buf;
}

static int cmd_apply(const char *file)
{
    char *text = read_file(file);
    char cwd[PATH_MAX];
    if (!getcwd(cwd, sizeof cwd))
        cwd[0] = 0;
    /* relative module paths in the manifest are taken from sipctl's working directory */
    json_t *body = json_pack("{s:s,s:s,s:s}", "file", file, "text", text, "base", cwd);
    char *b = json_dumps(body, JSON_COMPACT);
    json_t *out;
    long st = request("POST", "/api/v1/apply", b, &out);
    free(b);
    json_decref(body);
    free(text);
    if (!st)
        return 3;
    int rc = 0;
    if (st >= 400) {
        fprintf(stderr, "sipctl: %s\n", json_string_value(json_object_get(out, "error")) ?: "apply refused");
        rc = 1;
    } else if (json_is_true(json_object_get(out, "unchanged"))) {
        printf("app %s unchanged\n", json_string_value(json_object_get(out, "app")));
    } else {
        json_t *sips = json_object_get(out, "sips");
        printf("app %s applied: %zu SIPs, %lld channels\n", json_string_value(json_object_get(out, "app")),
               json_array_size(sips), (long long)json_integer_value(json_object_get(out, "channels")));
    }
    json_decref(out);
    return rc;
}

static int cmd_delete(const char *app)
{
    char path[512];
    char *esc = curl_easy_escape(NULL, app, 0);
    snprintf(path, sizeof path, "/api/v1/apps/%s", esc);
    curl_free(esc);
    json_t *out;
    long st = request("DELETE", path, NULL, &out);
    if (!st)
        return 3;
    int rc = 0;
    if (st >= 400) {
        fprintf(stderr, "sipctl: %s\n", json_string_value(json_object_get(out, "error")) ?: "delete refused");
        rc = 1;
    } else {
        printf("app %s deleted (%lld SIPs stopping)\n", app, (long long)json_integer_value(json_object_get(out, "sips")));
    }
    json_decref(out);
    return rc;
}

static int follow_logs(const char *sip, int follow)
{
    long long after = 0;
    char *esc = curl_easy_escape(NULL, sip, 0);
    for (;;) {
        char path[512];
        snprintf(path, sizeof path, "/api/v1/logs?sip=%s&after=%lld", esc, after);
        json_t *rows = get(path);
        size_t i;
        json_t *row;
        json_array_foreach(rows, i, row) {
            const char *d = json_string_value(json_object_get(row, "data")) ?: "";
            fwrite(d, 1, strlen(d), json_integer_value(json_object_get(row, "fd")) == 2 ? stderr : stdout);
            after = json_integer_value(json_object_get(row, "id"));
        }
        fflush(stdout);
        if (after == 0 && json_array_size(rows) == 0) {   /* no output yet: is there such a SIP? */
            snprintf(path, sizeof path, "/api/v1/describe?kind=sip&name=%s", esc);
            json_decref(get(path));                       /* exits 1: "no sip named ..." */
        }
        json_decref(rows);
        if (!follow)
            break;
        usleep(300000);
    }
    curl_free(esc);
    return 0;
}

/* A wall-clock time in milliseconds since 1970 as "2026-11-25 13:52:46.475" (local time). */
static void format_time_ms(long long ms, char *buf, size_t n)
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    if (!localtime_r(&t, &tm) || !strftime(buf, n, "%Y-%m-%d %H:%M:%S", &tm)) {
        snprintf(buf, n, "%lld", ms);
        return;
    }
    size_t len = strlen(buf);
    snprintf(buf + len, n - len, ".%03lld", ms % 1000);
}

/* SIP rows for a table: an exit code only for SIPs that exited ("-" for a trap or a kill,
 * whose stored code is a meaningless 0). */
static json_t *blank_exit_codes(json_t *rows)
{
    size_t i;
    json_t *r;
    json_array_foreach(rows, i, r) {
        const char *state = json_string_value(json_object_get(r, "observed"));
        if (state && strcmp(state, "exited") && json_object_get(r, "exit_code"))
            json_object_set_new(r, "exit_code", json_null());
    }
    return rows;
}

/* Events as a table, each with the time it happened ("time" column, added here). */
static void add_event_times(json_t *rows)
{
    size_t i;
    json_t *ev;
    json_array_foreach(rows, i, ev) {
        char when[64];
        format_time_ms(json_integer_value(json_object_get(ev, "ts_ms")), when, sizeof when);
        json_object_set_new(ev, "time", json_string(when));
    }
}

static int cmd_events(int json, int follow)
{
    long long after = 0;
    for (int first = 1;; first = 0) {
        char path[128];
        snprintf(path, sizeof path, "/api/v1/events?after=%lld", after);
        json_t *rows = get(path);
        if (json_array_size(rows))
            after = json_integer_value(json_object_get(json_array_get(rows, json_array_size(rows) - 1), "id"));
        if (json)
            print_json(rows);
        else if (first) {
            add_event_times(rows);
            print_table(rows, event_cols);
        } else {
            add_event_times(rows);
            size_t i;
            json_t *r;
            json_array_foreach(rows, i, r)
                printf("%lld  %s  %s  %s  %s\n", (long long)json_integer_value(json_object_get(r, "id")),
                       json_string_value(json_object_get(r, "time")),
                       json_string_value(json_object_get(r, "kind")), json_string_value(json_object_get(r, "object")),
                       json_string_value(json_object_get(r, "message")));
        }
        fflush(stdout);
        json_decref(rows);
        if (!follow)
            return 0;
        usleep(500000);
    }
}

/* Integers above this under a key ending in "_ms" are times, not durations (2001 on). */
#define TIME_MS_MIN 1000000000000LL

static int is_time_field(const char *key, json_t *v)
{
    size_t n = strlen(key);
    return json_is_integer(v) && json_integer_value(v) >= TIME_MS_MIN && n > 3 &&
           !strcmp(key + n - 3, "_ms");
}

static void describe_print(const char *kind, json_t *j)
{
    const char *key;
    json_t *v;
    if (!strcmp(kind, "sip")) {
        json_t *one = json_pack("[O]", j);
        blank_exit_codes(one);
        json_decref(one);
    }
    if (json_is_array(json_object_get(j, "sips")))
        blank_exit_codes(json_object_get(j, "sips"));
    json_object_foreach(j, key, v) {
        if (json_is_array(v) || json_is_object(v))
            continue;
        const char *text = json_string_value(v);
        if (text && strchr(text, '\n')) {     /* a manifest: its own lines, indented */
            printf("%s:\n", key);
            for (const char *line = text; *line; ) {
                size_t len = strcspn(line, "\n");
                printf("    %.*s\n", (int)len, line);
                line += len + (line[len] == '\n');
            }
            continue;
        }
        if (is_time_field(key, v)) {
            char when[64];
            format_time_ms(json_integer_value(v), when, sizeof when);
            printf("%-16s %s\n", key, when);
            continue;
        }
        char *c = cell(v);
        printf("%-16s %s\n", key, c);
        free(c);
    }
    json_t *spec = json_object_get(j, "spec");
    if (json_is_object(spec)) {
        char *s = json_dumps(spec, JSON_COMPACT);
        printf("%-16s %s\n", "spec", s);
        free(s);
    }
    if (json_is_array(json_object_get(j, "sips"))) {
        printf("\nSIPs:\n");
        print_table(json_object_get(j, "sips"), !strcmp(kind, "node")
                    ? (const char *const[]){ "id:SIP", "observed:STATE", "restarts:RESTARTS", NULL } : sip_cols);
    }
    if (json_array_size(json_object_get(j, "channels"))) {
        printf("\nChannels:\n");
        print_table(json_object_get(j, "channels"),
                    (const char *const[]){ "id:ID", "contract:CONTRACT", "imp_sip:FROM", "imp_ep:ENDPOINT",
                                           "exp_sip:TO", "exp_ep:ENDPOINT", NULL });
    }
    if (json_is_array(json_object_get(j, "events"))) {
        printf("\nRecent events:\n");
        add_event_times(json_object_get(j, "events"));
        print_table(json_object_get(j, "events"), (const char *const[]){ "time:TIME", "message:MESSAGE", NULL });
    }
}

static double mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Ask orchd to move a SIP, then follow the migration until it is done or failed. */
static int cmd_migrate(const char *sip, const char *to, int json)
{
    double t0 = mono_ms();
    json_t *req = json_pack("{s:s, s:s}", "sip", sip, "to", to), *ans;
    char *body = json_dumps(req, JSON_COMPACT);
    json_decref(req);
    long st = request("POST", "/api/v1/migrate", body, &ans);
    free(body);
    if (!st)
        return 3;
    if (st >= 400 || !ans) {
        fprintf(stderr, "sipctl: migrate: %s\n", json_string_value(json_object_get(ans, "error")) ?: "bad answer");
        json_decref(ans);
        return 1;
    }
    long long id = (long long)json_integer_value(json_object_get(ans, "id"));
    json_decref(ans);
    char path[64];
    snprintf(path, sizeof path, "/api/v1/migrations?id=%lld", id);
    json_t *m = NULL;
    const char *state = "";
    while (mono_ms() - t0 < 60000) {
        json_t *rows = get(path);
        json_decref(m);
        m = json_incref(json_array_get(rows, 0));
        json_decref(rows);
        state = json_string_value(json_object_get(m, "state")) ?: "";
        if (!strcmp(state, "done") || !strcmp(state, "failed"))
            break;
        usleep(5000);
    }
    double total = mono_ms() - t0;
    const char *sid = json_string_value(json_object_get(m, "sip_id")) ?: sip;
    const char *src = json_string_value(json_object_get(m, "source")) ?: "?";
    const char *err = json_string_value(json_object_get(m, "error")) ?: "";
    int rc = !strcmp(state, "done") ? 0 : 1;
    if (json) {
        json_object_set_new(m, "total_ms", json_real(total));
        print_json(m);
    } else if (!rc) {
        printf("migrated %s from %s to %s: downtime %.3f ms, total %.1f ms, image %lld KiB\n", sid, src, to,
               json_integer_value(json_object_get(m, "downtime_us")) / 1000.0, total,
               (long long)json_integer_value(json_object_get(m, "image_bytes")) >> 10);
    } else if (!strcmp(state, "failed")) {
        fprintf(stderr, "sipctl: migration of %s from %s to %s failed: %s\n", sid, src, to, err);
    } else {
        fprintf(stderr, "sipctl: migration %lld of %s: no outcome after %.0f s (state %s)\n", id, sid,
                total / 1000, state);
    }
    json_decref(m);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc >= 2 && !strcmp(argv[1], "pxe")) return sipctl_pxe(argc - 1, argv + 1);
    if (argc >= 2 && !strcmp(argv[1], "fleet")) return sipctl_fleet(argc - 1, argv + 1);
    if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")))
        help();
    server = getenv("SIPCTL_SERVER") ? getenv("SIPCTL_SERVER") : "http://127.0.0.1:7780";
    int i = 1;
    if (i + 1 < argc && !strcmp(argv[i], "-s")) {
        server = argv[i + 1];
        i += 2;
    }
    if (i >= argc)
        usage();
    const char *cmd = argv[i++];
    /* gather the remaining words and the flags -o json, -f, -f FILE */
    const char *words[4] = { 0 };
    int nwords = 0, json = 0, follow = 0;
    const char *file = NULL, *to = NULL;
    for (; i < argc; i++) {
        if (!strcmp(argv[i], "--to") && i + 1 < argc) {
            to = argv[++i];
        } else if (!strcmp(argv[i], "-o") && i + 1 < argc) {
            if (strcmp(argv[++i], "json")) {
                fprintf(stderr, "sipctl: -o: only json is supported\n");
                return 2;
            }
            json = 1;
        } else if (!strcmp(argv[i], "-f")) {
            if (!strcmp(cmd, "apply") && i + 1 < argc)
                file = argv[++i];
            else
                follow = 1;
        } else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            help();
        } else if (argv[i][0] == '-') {
            fprintf(stderr, "sipctl: unknown option '%s'\n", argv[i]);
            usage();
        } else if (nwords < 4) {
            words[nwords++] = argv[i];
        } else {
            usage();
        }
    }
    curl_global_init(CURL_GLOBAL_DEFAULT);
    int rc = 0;
    if (!strcmp(cmd, "apply")) {
        if (!file || nwords)
            usage_because("apply: give the manifest with -f FILE");
        rc = cmd_apply(file);
    } else if (!strcmp(cmd, "delete")) {
        if (nwords != 1)
            usage();
        rc = cmd_delete(words[0]);
    } else if (!strcmp(cmd, "get")) {
        if (nwords != 1)
            usage();
        const char *const *cols = !strcmp(words[0], "nodes") ? node_cols : !strcmp(words[0], "apps") ? app_cols
                                : !strcmp(words[0], "sips") ? sip_cols : !strcmp(words[0], "channels") ? chan_cols : NULL;
        if (!cols) {
            fprintf(stderr, "sipctl: get: unknown kind '%s' (nodes, apps, sips, channels)\n", words[0]);
            return 2;
        }
        char path[64];
        snprintf(path, sizeof path, "/api/v1/%s", words[0]);
        json_t *rows = get(path);
        if (json)
            print_json(rows);
        else
            print_table(blank_exit_codes(rows), cols);
        json_decref(rows);
    } else if (!strcmp(cmd, "describe")) {
        if (nwords != 2)
            usage();
        char *esc = curl_easy_escape(NULL, words[1], 0);
        char path[512];
        snprintf(path, sizeof path, "/api/v1/describe?kind=%s&name=%s", words[0], esc);
        curl_free(esc);
        json_t *j = get(path);
        if (json)
            print_json(j);
        else
            describe_print(words[0], j);
        json_decref(j);
    } else if (!strcmp(cmd, "logs")) {
        if (nwords != 1)
            usage();
        rc = follow_logs(words[0], follow);
    } else if (!strcmp(cmd, "events")) {
        if (nwords)
            usage();
        rc = cmd_events(json, follow);
    } else if (!strcmp(cmd, "migrate")) {
        if (nwords != 1 || !to)
            usage_because("migrate: give one SIP (APP/SIP) and --to NODE");
        rc = cmd_migrate(words[0], to, json);
    } else {
        fprintf(stderr, "sipctl: unknown command '%s'\n", cmd);
        usage();
    }
    curl_global_cleanup();
    return rc;
}
