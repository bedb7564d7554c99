/* Cluster manifests: one YAML document describes an application -- its SIPs (module,
 * quotas, arguments, environment, endpoints, restart policy, placement) and the channels
 * that wire their endpoints across the cluster. Example:
 *
 *   app: echo
 *   contracts: [contracts/lib/echo.contract]
 *   sips:
 *     - name: server
 *       module: build/sips/echo_server.wasm
 *       memory: 16M            # linear memory limit (K/M/G suffixes)
 *       fuel: 100000           # fuel per scheduling slice
 *       args: [a, b]
 *       env: {GREETING: hello}
 *       endpoints: [{name: clients, contract: Echo}]
 *       restart: {policy: on-failure, backoff_ms: 200, max_backoff_ms: 5000}
 *       placement: {labels: {zone: a}, affinity: [client], anti_affinity: [other]}
 *       replicas: 1
 *   channels:
 *     - {from: client.server, to: server.clients, contract: Echo}
 *
 * A channel's `from` end is the importing side, `to` the exporting side. Validation is
 * complete before anything is used: an error names file, line, field and reason. */
#ifndef ORCHESTRATOR_MANIFEST_H
#define ORCHESTRATOR_MANIFEST_H

#include <stddef.h>
#include <stdint.h>

typedef enum { OM_RESTART_NEVER, OM_RESTART_ON_FAILURE, OM_RESTART_ALWAYS } om_restart;

typedef struct om_kv { char *key, *value; } om_kv;

typedef struct om_endpoint {
    char *name, *contract;
} om_endpoint;

typedef struct om_sip {
    char *name, *module;
    uint64_t memory, fuel;                /* 0 = node default */
    char **args; uint32_t nargs;
    om_kv *env; uint32_t nenv;
    om_endpoint *eps; uint32_t neps;
    om_restart restart;
    uint32_t backoff_ms, max_backoff_ms;
    om_kv *labels; uint32_t nlabels;      /* node must carry every one */
    char **affinity; uint32_t naffinity;  /* place beside these SIPs of the app */
    char **anti; uint32_t nanti;          /* never beside these (itself: spread replicas) */
    uint32_t replicas;
    uint32_t line;
} om_sip;

typedef struct om_channel {
    char *imp_sip, *imp_ep, *exp_sip, *exp_ep, *contract;
    uint32_t line;
} om_channel;

typedef struct om_app {
    char *name;
    char **contracts; uint32_t ncontracts;
    om_sip *sips; uint32_t nsips;
    om_channel *chans; uint32_t nchans;
} om_app;

#define OM_NAME_MAX 40        /* app and SIP names: [A-Za-z0-9_-], this long at most */

/* Parse and validate text (len bytes). Returns 0, or -1 with
 * "file:line: field: reason" in err and *out left empty. */
int  om_parse(const char *text, size_t len, const char *file, om_app *out, char *err, size_t errlen);
int  om_load(const char *path, om_app *out, char *err, size_t errlen);
void om_free(om_app *a);
const char *om_restart_name(om_restart r);
const om_sip *om_find_sip(const om_app *a, const char *name);

#endif
