/* The orchestrator's state store: one SQLite database (WAL) holding nodes, apps, SIPs
 * (desired and observed state), channels, modules by SHA-256 and an event log. The daemon
 * keeps no state of its own that it could not rebuild from here and node reports, so a
 * restart (even after kill -9) loses nothing.
 *
 * SQL goes through sqlite3_vmprintf: use %Q for strings (quoted, NULL-safe), %lld for
 * numbers. Tables (see store.c for the columns): nodes, apps, sips, channels, modules,
 * contracts (an app's contract files), events, logs. */
#ifndef ORCHESTRATOR_STORE_H
#define ORCHESTRATOR_STORE_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

typedef struct store store;

store *store_open(const char *path, char *err, size_t errlen);
void   store_close(store *s);

/* Run statements; 0 or -1 (the message goes to stderr and store_error). */
int    store_exec(store *s, const char *fmt, ...);
/* The rows of a query as a JSON array of objects keyed by column name. */
json_t *store_query(store *s, const char *fmt, ...);
/* First column of the first row as an integer (dflt if no row). */
int64_t store_int(store *s, int64_t dflt, const char *fmt, ...);
/* First column of the first row as a new string, or NULL. */
char  *store_text(store *s, const char *fmt, ...);
const char *store_error(store *s);

int    store_begin(store *s);
int    store_commit(store *s);
void   store_rollback(store *s);

/* Modules by content: put is idempotent (same hash, one row). get returns a malloc'd copy. */
int    store_put_module(store *s, const char *hex, const void *data, size_t len);
void  *store_get_module(store *s, const char *hex, size_t *len);

/* Append to the event log (kind: "node", "sip", "app"...). */
void   store_event(store *s, const char *kind, const char *object, const char *fmt, ...);

uint64_t store_now_ms(void);

#endif
