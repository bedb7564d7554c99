/* The SQLite state store (see store.h). */
#include "orchestrator/store.h"
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct store {
    sqlite3 *db;
    char err[256];
};

static const char *schema =
    "PRAGMA journal_mode=WAL;"
    "PRAGMA synchronous=NORMAL;"
    "CREATE TABLE IF NOT EXISTS nodes("
    "  id TEXT PRIMARY KEY, mac TEXT, memory INTEGER, cpus INTEGER, labels TEXT,"
    "  address TEXT, platform TEXT, version TEXT, boot_id INTEGER, state TEXT,"
    "  registered_ms INTEGER, last_seen_ms INTEGER, memory_used INTEGER, sips_running INTEGER);"
    "CREATE TABLE IF NOT EXISTS apps("
    "  name TEXT PRIMARY KEY, file TEXT, manifest TEXT, created_ms INTEGER, updated_ms INTEGER);"
    "CREATE TABLE IF NOT EXISTS sips("
    "  id TEXT PRIMARY KEY, app TEXT, name TEXT, replica INTEGER, module_hash TEXT,"
    "  memory INTEGER, fuel INTEGER, spec TEXT, restart TEXT, backoff_ms INTEGER,"
    "  max_backoff_ms INTEGER, desired TEXT, node TEXT, observed TEXT, exit_code INTEGER,"
    "  error TEXT, restarts INTEGER DEFAULT 0, next_start_ms INTEGER DEFAULT 0,"
    "  fuel_used INTEGER DEFAULT 0, updated_ms INTEGER, incarnation INTEGER DEFAULT 0);"
    "CREATE TABLE IF NOT EXISTS channels("
    "  id INTEGER PRIMARY KEY AUTOINCREMENT, app TEXT, contract TEXT, imp_sip TEXT,"
    "  imp_ep TEXT, exp_sip TEXT, exp_ep TEXT);"
    "CREATE TABLE IF NOT EXISTS modules(hash TEXT PRIMARY KEY, size INTEGER, data BLOB);"
    "CREATE TABLE IF NOT EXISTS contracts(app TEXT, file TEXT, source TEXT);"
    "CREATE TABLE IF NOT EXISTS events("
    "  id INTEGER PRIMARY KEY AUTOINCREMENT, ts_ms INTEGER, kind TEXT, object TEXT, message TEXT);"
    "CREATE TABLE IF NOT EXISTS logs("
    "  id INTEGER PRIMARY KEY AUTOINCREMENT, sip_id TEXT, fd INTEGER, seq INTEGER, data TEXT,"
    "  ts_ms INTEGER);"
    "CREATE INDEX IF NOT EXISTS logs_sip ON logs(sip_id, id);";

uint64_t store_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

store *store_open(const char *path, char *err, size_t errlen)
{
    store *s = calloc(1, sizeof *s);
    if (sqlite3_open(path, &s->db) != SQLITE_OK) {
        snprintf(err, errlen, "%s: %s", path, s->db ? sqlite3_errmsg(s->db) : "cannot open");
        sqlite3_close(s->db);
        free(s);
        return NULL;
    }
    sqlite3_busy_timeout(s->db, 2000);
    char *msg = NULL;
    if (sqlite3_exec(s->db, schema, NULL, NULL, &msg) != SQLITE_OK) {
        snprintf(err, errlen, "%s: %s", path, msg ? msg : "schema");
        sqlite3_free(msg);
        sqlite3_close(s->db);
        free(s);
        return NULL;
    }
    /* stores written before SIPs had incarnations get the column */
    if (store_int(s, 0, "SELECT count(*) FROM pragma_table_info('sips') WHERE name = 'incarnation'") == 0)
        store_exec(s, "ALTER TABLE sips ADD COLUMN incarnation INTEGER DEFAULT 0");
    return s;
}

void store_close(store *s)
{
    if (!s)
        return;
    sqlite3_close(s->db);
    free(s);
}

const char *store_error(store *s) { return s->err; }

static int exec_sql(store *s, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        snprintf(s->err, sizeof s->err, "%s", msg ? msg : "error");
        fprintf(stderr, "store: %s (in: %.200s)\n", s->err, sql);
        sqlite3_free(msg);
        return -1;
    }
    return 0;
}

int store_exec(store *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *sql = sqlite3_vmprintf(fmt, ap);
    va_end(ap);
    int rc = exec_sql(s, sql);
    sqlite3_free(sql);
    return rc;
}

int store_begin(store *s) { return exec_sql(s, "BEGIN IMMEDIATE"); }
int store_commit(store *s) { return exec_sql(s, "COMMIT"); }
void store_rollback(store *s) { exec_sql(s, "ROLLBACK"); }

static sqlite3_stmt *prepare(store *s, const char *fmt, va_list ap)
{
    char *sql = sqlite3_vmprintf(fmt, ap);
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
        snprintf(s->err, sizeof s->err, "%s", sqlite3_errmsg(s->db));
        fprintf(stderr, "store: %s (in: %.200s)\n", s->err, sql);
        st = NULL;
    }
    sqlite3_free(sql);
    return st;
}

json_t *store_query(store *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sqlite3_stmt *st = prepare(s, fmt, ap);
    va_end(ap);
    json_t *rows = json_array();
    if (!st)
        return rows;
    while (sqlite3_step(st) == SQLITE_ROW) {
        json_t *row = json_object();
        int n = sqlite3_column_count(st);
        for (int i = 0; i < n; i++) {
            json_t *v;
            switch (sqlite3_column_type(st, i)) {
            case SQLITE_INTEGER: v = json_integer(sqlite3_column_int64(st, i)); break;
            case SQLITE_FLOAT:   v = json_real(sqlite3_column_double(st, i)); break;
            case SQLITE_NULL:    v = json_null(); break;
            default:
                v = json_stringn_nocheck((const char *)sqlite3_column_text(st, i),
                                         (size_t)sqlite3_column_bytes(st, i));
                break;
            }
            json_object_set_new(row, sqlite3_column_name(st, i), v ? v : json_null());
        }
        json_array_append_new(rows, row);
    }
    sqlite3_finalize(st);
    return rows;
}

int64_t store_int(store *s, int64_t dflt, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sqlite3_stmt *st = prepare(s, fmt, ap);
    va_end(ap);
    int64_t v = dflt;
    if (st && sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

char *store_text(store *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sqlite3_stmt *st = prepare(s, fmt, ap);
    va_end(ap);
    char *v = NULL;
    if (st && sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
        v = strdup((const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    return v;
}

int store_put_module(store *s, const char *hex, const void *data, size_t len)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s->db, "INSERT OR IGNORE INTO modules(hash, size, data) VALUES(?,?,?)",
                           -1, &st, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_text(st, 1, hex, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)len);
    sqlite3_bind_blob64(st, 3, data, len, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
    sqlite3_finalize(st);
    return rc;
}

void *store_get_module(store *s, const char *hex, size_t *len)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s->db, "SELECT data FROM modules WHERE hash = ?", -1, &st, NULL) != SQLITE_OK)
        return NULL;
    sqlite3_bind_text(st, 1, hex, -1, SQLITE_TRANSIENT);
    void *out = NULL;
    if (sqlite3_step(st) == SQLITE_ROW) {
        *len = (size_t)sqlite3_column_bytes(st, 0);
        out = malloc(*len + 1);
        if (*len)
            memcpy(out, sqlite3_column_blob(st, 0), *len);
    }
    sqlite3_finalize(st);
    return out;
}

void store_event(store *s, const char *kind, const char *object, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = sqlite3_vmprintf(fmt, ap);
    va_end(ap);
    store_exec(s, "INSERT INTO events(ts_ms, kind, object, message) VALUES(%lld, %Q, %Q, %Q)",
               (long long)store_now_ms(), kind, object, msg);
    sqlite3_free(msg);
}
