/* node.c: the node kernel core on metal (see node.h). The shared manifest parser and
 * deployment code of the hosted node (node-kernel/hosted/manifest.c, deploy.c,
 * loglines.c) read the embedded files through the kernel's fopen, so an application
 * deploys here exactly as under sipnode. */
#include <stdio.h>
#include <string.h>
#include "node-kernel/metal/node.h"
#include "node-kernel/metal/kprintf.h"
#include "node-kernel/metal/bundle.h"
#include "node-kernel/metal/wallclock.h"
#include "node-kernel/hosted/manifest.h"
#include "node-kernel/hosted/deploy.h"
#include "node-kernel/hosted/loglines.h"

#define SLICES_PER_POLL 16

static kernel *k;
static deployment library;          /* every contract file in the image, for orchestrated SIPs */
static char app_queue[128];         /* app=a,b,c: names still to run, in order */
static const struct node_observer *observer;

/* The application started with app=NAME: its SIPs are counted down as they end. */
static struct {
    char name[32];
    deployment d;
    uint32_t first_id, end_id;      /* its SIPs' kernel ids: [first_id, end_id) */
    uint32_t live, failures;
    int active;
} app;

static void print_line(void *arg, const sip *s, const char *line, size_t len)
{
    kprintf("[%s] %.*s\n", s->name, (int)len, line);
}

static void on_log(void *arg, sip *s, int fd, const char *text, size_t n)
{
    loglines_feed(s, text, n, print_line, NULL);
    if (observer && observer->log) observer->log(s, fd, text, n);
}

static void app_sip_ended(sip *s)
{
    if (s->end != SIP_END_EXIT || s->exit_code) app.failures++;
    if (--app.live) return;
    char why[256];
    int broken = kernel_check(k, why, sizeof why);
    if (broken) { kprintf("metal: kernel invariant broken: %s\n", why); app.failures++; }
    else kprintf("metal: kernel invariant holds\n");
    kprintf("APP %s: finished, status %d\n", app.name, app.failures ? 1 : 0);
    app.active = 0;
}

/* Starts the next application of app_queue that deploys. */
static void start_next_app(void)
{
    while (!app.active && app_queue[0]) {
        char name[32];
        size_t n = 0;
        const char *q = app_queue;
        while (*q && *q != ',') { if (n + 1 < sizeof name) name[n++] = *q; q++; }
        name[n] = 0;
        if (*q == ',') q++;
        memmove(app_queue, q, strlen(q) + 1);
        if (n) node_run_app(name);
    }
}

void node_run_apps(const char *list)
{
    if (strlen(list) >= sizeof app_queue) { kprintf("APP: list too long: %s\n", list); return; }
    strcpy(app_queue, list);
    start_next_app();
}

static void on_exit_sip(void *arg, sip *s)
{
    loglines_flush(s, print_line, NULL);
    switch (s->end) {
    case SIP_END_EXIT: kprintf("metal: %s exited with status %d\n", s->name, s->exit_code); break;
    case SIP_END_TRAP: kprintf("metal: %s trapped: %s\n", s->name, s->fault); break;
    case SIP_END_MIGRATED: kprintf("metal: %s left for another node\n", s->name); break;
    default:           kprintf("metal: %s killed: %s\n", s->name, s->fault); break;
    }
    if (observer && observer->exit) observer->exit(s);
    if (app.active && s->id >= app.first_id && s->id < app.end_id) app_sip_ended(s);
}

/* The contracts embedded in the image, so SIPs the orchestrator creates can bind
 * channels of any of them. */
static void load_contract_library(void)
{
    const struct bundle_file *files;
    size_t n = bundle_list(&files), nc = 0;
    char *paths[32], err[256];
    for (size_t i = 0; i < n && nc < 32; i++) {
        size_t len = strlen(files[i].path);
        if (len > 9 && !strcmp(files[i].path + len - 9, ".contract")) paths[nc++] = (char *)files[i].path;
    }
    if (deploy_contracts(k, &library, paths, (uint32_t)nc, err, sizeof err))
        kprintf("metal: contract library not loaded: %s\n", err);
    else
        kprintf("metal: %u contract files loaded\n", (unsigned)nc);
}

int node_init(void)
{
    k = kernel_new(0);
    if (!k) return -1;
    k->on_log = on_log;
    k->on_exit = on_exit_sip;
    load_contract_library();
    return 0;
}

kernel *node_kernel(void) { return k; }

void node_set_observer(const struct node_observer *obs) { observer = obs; }

int node_run_app(const char *name)
{
    char path[64], err[256];
    if (app.active) { kprintf("APP %s: refused, %s is still running\n", name, app.name); return -1; }
    if (strlen(name) >= sizeof app.name) { kprintf("APP: name too long\n"); return -1; }
    snprintf(path, sizeof path, "sips/apps/%s.sipm", name);
    manifest m;
    if (manifest_load(path, &m, err, sizeof err)) { kprintf("APP %s: %s\n", name, err); return -1; }
    deploy_free(&app.d);
    uint32_t before = k->nsips_live;
    app.first_id = k->next_id + 1;
    if (deploy(k, &m, &app.d, err, sizeof err)) {
        kprintf("APP %s: %s\n", name, err);
        manifest_free(&m);
        return -1;
    }
    manifest_free(&m);
    strcpy(app.name, name);
    app.end_id = k->next_id + 1;
    app.live = k->nsips_live - before;
    app.failures = 0;
    app.active = app.live > 0;
    kprintf("APP %s: deployed %u SIPs\n", name, app.live);
    return 0;
}

int node_poll(void)
{
    if (!app.active) start_next_app();
    for (int i = 0; i < SLICES_PER_POLL && kernel_busy(k); i++) {
        kernel_run(k, 1);
        wallclock_poll();           /* seconds edges must be seen on time */
    }
    return kernel_busy(k);
}
