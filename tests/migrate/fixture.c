/* Migration test fixture (see fixture.h). */
#include "tests/migrate/fixture.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "node-kernel/core/platform.h"

kernel *KN[NKERNELS];
deployment DEP;

typedef struct named_log {
    char name[SIP_NAME_MAX];
    char *text; size_t len;
    int ended; int32_t code; char fault[192];
} named_log;

static named_log logs[32];
static int nlogs;

static named_log *log_of(const char *name)
{
    for (int i = 0; i < nlogs; i++)
        if (!strcmp(logs[i].name, name))
            return &logs[i];
    if (nlogs == 32)
        return NULL;
    named_log *l = &logs[nlogs++];
    memset(l, 0, sizeof *l);
    snprintf(l->name, sizeof l->name, "%s", name);
    return l;
}

static void on_log(void *arg, sip *s, int fd, const char *text, size_t n)
{
    named_log *l = log_of(s->name);
    if (!l)
        return;
    char *t = realloc(l->text, l->len + n + 1);
    if (!t)
        return;
    memcpy(t + l->len, text, n);
    l->len += n;
    t[l->len] = 0;
    l->text = t;
}

static void on_exit_cb(void *arg, sip *s)
{
    if (s->end == SIP_END_MIGRATED)
        return;
    named_log *l = log_of(s->name);
    if (!l)
        return;
    l->ended = s->end == SIP_END_EXIT ? 1 : s->end == SIP_END_TRAP ? 2 : 3;
    l->code = s->exit_code;
    snprintf(l->fault, sizeof l->fault, "%s", s->fault);
}

void fx_setup(void)
{
    for (int i = 0; i < nlogs; i++)
        free(logs[i].text);
    nlogs = 0;
    memset(&DEP, 0, sizeof DEP);
    for (int i = 0; i < NKERNELS; i++) {
        KN[i] = kernel_new(0);
        KN[i]->on_log = on_log;
        KN[i]->on_exit = on_exit_cb;
    }
}

void fx_teardown(void)
{
    for (int i = 0; i < NKERNELS; i++) {
        kernel_free(KN[i]);
        KN[i] = NULL;
    }
    deploy_free(&DEP);
}

int fx_deploy(const char *text)
{
    manifest m;
    char err[512];
    if (manifest_parse(text, "migrate-test.sipm", &m, err, sizeof err)) {
        fprintf(stderr, "\nmanifest: %s\n", err);
        return -1;
    }
    int r = deploy(KN[0], &m, &DEP, err, sizeof err);
    if (r)
        fprintf(stderr, "\ndeploy: %s\n", err);
    manifest_free(&m);
    for (int i = 1; i < NKERNELS && !r && DEP.cset; i++)
        kernel_add_contracts(KN[i], DEP.cset);
    return r;
}

const wasm_module *fx_find_module(void *arg, const uint8_t *hash, char *err, size_t errlen)
{
    for (uint32_t i = 0; i < DEP.nmods; i++)
        if (!memcmp(wasm_module_hash(DEP.mods[i]), hash, 32))
            return DEP.mods[i];
    snprintf(err, errlen, "no module with that hash here");
    return NULL;
}

int fx_live(void)
{
    int n = 0;
    for (int i = 0; i < NKERNELS; i++)
        n += KN[i] ? (int)KN[i]->nsips_live : 0;
    return n;
}

void fx_step(uint64_t n)
{
    uint64_t ran = 0;
    for (int i = 0; i < NKERNELS; i++)
        if (KN[i])
            ran += kernel_run(KN[i], n);
    if (!ran) {
        struct timespec ts = { 0, 200000 };
        nanosleep(&ts, NULL);
    }
}

int fx_run(uint64_t slices_per_round, int timeout_ms)
{
    uint64_t end = plat_time_ns(1) + (uint64_t)timeout_ms * 1000000ull;
    while (fx_live() && plat_time_ns(1) < end)
        fx_step(slices_per_round);
    return fx_live();
}

sip *fx_find(const char *name, int *ki)
{
    for (int i = 0; i < NKERNELS; i++) {
        sip *s = KN[i] ? sip_by_name(KN[i], name) : NULL;
        if (s) {
            if (ki)
                *ki = i;
            return s;
        }
    }
    return NULL;
}

const char *fx_log(const char *name)
{
    named_log *l = log_of(name);
    return l && l->text ? l->text : "";
}

int fx_ending(const char *name, int32_t *code, const char **fault)
{
    named_log *l = log_of(name);
    if (!l)
        return 0;
    if (code)
        *code = l->code;
    if (fault)
        *fault = l->fault;
    return l->ended;
}

void fx_check_all(void)
{
    for (int i = 0; i < NKERNELS; i++) {
        char why[256];
        int r = KN[i] ? kernel_check(KN[i], why, sizeof why) : 0;
        if (r)
            fprintf(stderr, "\nkernel %d invariant: %s\n", i, why);
        CU_ASSERT_EQUAL(r, 0);
    }
}
