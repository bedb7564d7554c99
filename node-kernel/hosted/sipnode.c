/* sipnode: the node kernel core as a Linux process. Runs the SIPs of a local manifest (or
 * a single module named on the command line) until every SIP has ended or all that remain
 * are blocked forever, printing each SIP's log lines prefixed with its name.
 *
 *   sipnode [-q|-v] [-c FILE.contract]... MANIFEST
 *   sipnode [-q|-v] [-c FILE.contract]... MODULE.wasm [ARG...]
 *
 * -q reports only failures; -v also reports each SIP's scheduling slices and fuel.
 *
 * Exit status: 0 if every SIP exited with status 0, 1 otherwise, 2 on a usage or
 * deployment error. */
#include "node-kernel/core/proc.h"
#include "node-kernel/hosted/deploy.h"
#include "node-kernel/hosted/loglines.h"
#include "node-kernel/hosted/runloop.h"
#include "netchan/sipnode_opts.h"       /* netchan hook: --node/--listen/--wire... */
#include "node-kernel/hosted/orch_agent.h" /* orchestrator hook: --orch ADDR ... */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures;
static bool quiet, verbose;

static void print_line(void *arg, const sip *s, const char *line, size_t len)
{
    (void)arg;
    printf("[%s] %.*s\n", s->name, (int)len, line);
    fflush(stdout);
}

static void on_log(void *arg, sip *s, int fd, const char *text, size_t n)
{
    (void)fd;
    loglines_feed(s, text, n, print_line, arg);
}

static void on_exit_sip(void *arg, sip *s)
{
    (void)arg;
    loglines_flush(s, print_line, NULL);
    if (verbose)
        fprintf(stderr, "sipnode: %s: %llu slices, %llu fuel\n", s->name,
                (unsigned long long)s->slices, (unsigned long long)s->fuel_used);
    switch (s->end) {
    case SIP_END_EXIT:
        if (s->exit_code)
            failures++;
        if (!quiet || s->exit_code)
            fprintf(stderr, "sipnode: %s exited with status %d\n", s->name, s->exit_code);
        break;
    case SIP_END_TRAP:
        failures++;
        fprintf(stderr, "sipnode: %s trapped: %s\n", s->name, s->fault);
        break;
    default:
        failures++;
        fprintf(stderr, "sipnode: %s killed: %s\n", s->name, s->fault);
        break;
    }
    fflush(stdout);
}

static void usage_to(FILE *out, int status)
{
    fprintf(out, "usage: sipnode [-q|-v] [-c FILE.contract]... MANIFEST\n"
             "       sipnode [-q|-v] [-c FILE.contract]... MODULE.wasm [ARG...]\n"
             "netchan options (netchan/sipnode_opts.h): --node ID --listen ADDR --peer ID=ADDR\n"
             "       --wire CONTRACT:CHAN:imp|exp:SIP.NAME@PEER --hb-ms N --dead-ms N --rto-ms N\n"
             "orchestrator (node-kernel/hosted/orch_agent.h): sipnode [-c FILE.contract]... --orch ADDR\n"
             "       [--orch-id ID] [--orch-nc ADDR] [--orch-label K=V]... [--orch-memory SIZE]\n");
    if (status == 0)
        fprintf(out, "MANIFEST is a .sipm file (docs/kernel.md); -q: report only failures, -v: slices and fuel per SIP.\n");
    exit(status);
}

static void usage(void) { usage_to(stderr, 2); }

static bool ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && !strcmp(s + a - b, suffix);
}

/* A one-SIP manifest for `sipnode module.wasm args...`. */
static void single_module(manifest *m, int argc, char **argv)
{
    memset(m, 0, sizeof *m);
    m->sips = calloc(1, sizeof *m->sips);
    m->nsips = 1;
    mf_sip *s = &m->sips[0];
    const char *base = strrchr(argv[0], '/');
    base = base ? base + 1 : argv[0];
    s->name = strndup(base, strcspn(base, "."));
    if (strlen(s->name) >= SIP_NAME_MAX)
        s->name[SIP_NAME_MAX - 1] = 0;
    s->module = strdup(argv[0]);
    s->argc = (uint32_t)argc;
    s->argv = calloc(argc + 1, sizeof *s->argv);
    s->argv[0] = strdup(s->name);
    for (int i = 1; i < argc; i++)
        s->argv[i] = strdup(argv[i]);
}

int main(int argc, char **argv)
{
    char **cfiles = NULL;
    uint32_t ncfiles = 0;
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage_to(stdout, 0);
        } else if (!strcmp(argv[i], "-q")) {
            quiet = true;
        } else if (!strcmp(argv[i], "-v")) {
            verbose = true;
        } else if (!strcmp(argv[i], "-c") && i + 1 < argc) {
            cfiles = realloc(cfiles, (ncfiles + 1) * sizeof *cfiles);
            cfiles[ncfiles++] = argv[++i];
        } else if (sipnode_netchan_option(argc, argv, &i)) {
            /* netchan hook: consumed (see netchan/sipnode_opts.h) */
        } else if (orch_agent_option(argc, argv, &i)) {
            /* orchestrator hook: consumed (see node-kernel/hosted/orch_agent.h) */
        } else {
            usage();
        }
    }
    if (orch_agent_enabled() && i >= argc) {    /* orchestrator hook: SIPs come from orchd */
        int rc = orch_agent_main(cfiles, ncfiles);
        free(cfiles);
        return rc;
    }
    if (i >= argc)
        usage();

    char err[512];
    manifest m;
    if (ends_with(argv[i], ".wasm")) {
        single_module(&m, argc - i, argv + i);
    } else if (i + 1 != argc) {
        usage();
    } else if (manifest_load(argv[i], &m, err, sizeof err)) {
        fprintf(stderr, "sipnode: %s\n", err);
        return 2;
    }
    for (uint32_t j = 0; j < ncfiles; j++) {
        m.contracts = realloc(m.contracts, (m.ncontracts + 1) * sizeof *m.contracts);
        m.contracts[m.ncontracts++] = strdup(cfiles[j]);
    }
    free(cfiles);

    kernel *k = kernel_new(0);
    k->on_log = on_log;
    k->on_exit = on_exit_sip;
    deployment d = { 0 };
    if (deploy(k, &m, &d, err, sizeof err)) {
        fprintf(stderr, "sipnode: %s\n", err);
        kernel_free(k);
        deploy_free(&d);
        manifest_free(&m);
        return 2;
    }
    manifest_free(&m);
    if (sipnode_netchan_start(k, err, sizeof err)) {      /* netchan hook: remote wiring */
        fprintf(stderr, "sipnode: %s\n", err);
        kernel_free(k);
        deploy_free(&d);
        return 2;
    }

    if (sipnode_netchan_enabled() ? sipnode_netchan_run(k) : hosted_run(k)) {
        failures++;
        fprintf(stderr, "sipnode: idle: every remaining SIP is blocked forever:");
        for (uint32_t j = 0; j < k->nsips_cap; j++)
            if (k->sips[j])
                fprintf(stderr, " %s", k->sips[j]->name);
        fprintf(stderr, "\n");
    }
    sipnode_netchan_finish(k);                            /* netchan hook: stats, detach */
    char why[256];
    if (kernel_check(k, why, sizeof why)) {
        fprintf(stderr, "sipnode: kernel invariant broken: %s\n", why);
        failures++;
    }
    int status = failures ? 1 : 0;
    kernel_free(k);     /* blocked SIPs are ended here */
    deploy_free(&d);
    return status;
}
