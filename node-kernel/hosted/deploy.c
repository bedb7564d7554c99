/* Manifest deployment on a local kernel (see deploy.h). */
#include "node-kernel/hosted/deploy.h"
#include "node-kernel/core/channel.h"
#include "node-kernel/core/wasm_sip.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

uint8_t *deploy_read_file(const char *path, size_t *len, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return NULL;
    }
    uint8_t *buf = NULL;
    size_t n = 0, cap = 0, got;
    do {
        if (n + 65536 + 1 > cap) {
            cap = (n + 65536 + 1) * 2;
            uint8_t *nb = realloc(buf, cap);
            if (!nb) {
                free(buf);
                fclose(f);
                snprintf(err, errlen, "%s: out of memory", path);
                return NULL;
            }
            buf = nb;
        }
        got = fread(buf + n, 1, 65536, f);
        n += got;
    } while (got > 0);
    fclose(f);
    buf[n] = 0;
    *len = n;
    return buf;
}

int deploy_contracts(kernel *k, deployment *d, char *const *files, uint32_t n, char *err, size_t errlen)
{
    if (!d->cset)
        d->cset = contract_set_new();
    for (uint32_t i = 0; i < n; i++) {
        size_t len;
        uint8_t *src = deploy_read_file(files[i], &len, err, errlen);
        if (!src)
            return -1;
        contract_error ce;
        int r = contract_set_add(d->cset, (const char *)src, len, files[i], &ce);
        free(src);
        if (r) {
            snprintf(err, errlen, "%s", ce.text);
            return -1;
        }
    }
    contract_error ce;
    if (contract_set_finish(d->cset, &ce)) {
        snprintf(err, errlen, "%s", ce.text);
        return -1;
    }
    return kernel_add_contracts(k, d->cset);
}

static wasm_module *module_for(deployment *d, const char *path, char *err, size_t errlen)
{
    for (uint32_t i = 0; i < d->nmods; i++)
        if (!strcmp(d->mod_paths[i], path))
            return d->mods[i];
    size_t len;
    uint8_t *bytes = deploy_read_file(path, &len, err, errlen);
    if (!bytes)
        return NULL;
    char why[200];
    wasm_module *m = wasm_sip_load_module(bytes, len, why, sizeof why);
    free(bytes);
    if (!m) {
        snprintf(err, errlen, "%s: %s", path, why);
        return NULL;
    }
    d->mod_paths = realloc(d->mod_paths, (d->nmods + 1) * sizeof *d->mod_paths);
    d->mods = realloc(d->mods, (d->nmods + 1) * sizeof *d->mods);
    d->mod_paths[d->nmods] = strdup(path);
    d->mods[d->nmods++] = m;
    return m;
}

int deploy(kernel *k, const manifest *m, deployment *d, char *err, size_t errlen)
{
    if (m->ncontracts && !d->cset && deploy_contracts(k, d, m->contracts, m->ncontracts, err, errlen))
        return -1;
    sip **made = calloc(m->nsips + 1, sizeof *made);
    int rc = -1;
    for (uint32_t i = 0; i < m->nsips; i++) {
        const mf_sip *ms = &m->sips[i];
        wasm_module *mod = module_for(d, ms->module, err, errlen);
        if (!mod)
            goto undo;
        made[i] = sip_create(k, ms->name, &ms->quota);
        if (!made[i]) {
            snprintf(err, errlen, "SIP %s: out of memory", ms->name);
            goto undo;
        }
        char why[200];
        if (wasm_sip_attach(made[i], mod, ms->argc, (const char *const *)ms->argv, ms->envc,
                            (const char *const *)ms->envp, why, sizeof why)) {
            snprintf(err, errlen, "SIP %s (%s): %s", ms->name, ms->module, why);
            goto undo;
        }
    }
    for (uint32_t i = 0; i < m->nchans; i++) {
        const mf_channel *c = &m->chans[i];
        const contract *ct = kernel_find_contract(k, c->contract, strlen(c->contract));
        if (!ct) {
            snprintf(err, errlen, "channel (manifest line %u): unknown contract '%s'", c->line, c->contract);
            goto undo;
        }
        endpoint *imp, *exp;
        if (chan_create(k, ct, &imp, &exp)) {
            snprintf(err, errlen, "channel (manifest line %u): out of memory", c->line);
            goto undo;
        }
        int r1 = sip_wire(made[c->imp_sip], c->imp_name, imp);
        if (r1)
            chan_close(imp);
        int r2 = sip_wire(made[c->exp_sip], c->exp_name, exp);
        if (r2)
            chan_close(exp);
        if (r1 || r2) {
            snprintf(err, errlen, "channel (manifest line %u): cannot wire (handle quota?)", c->line);
            goto undo;
        }
    }
    for (uint32_t i = 0; i < m->nsips; i++)
        sip_start(made[i]);
    rc = 0;
    goto out;
undo:
    for (uint32_t i = 0; i < m->nsips; i++)
        if (made[i])
            sip_kill(made[i], "deployment failed");
out:
    free(made);
    return rc;
}

void deploy_free(deployment *d)
{
    for (uint32_t i = 0; i < d->nmods; i++) {
        wasm_module_free(d->mods[i]);
        free(d->mod_paths[i]);
    }
    free(d->mods);
    free(d->mod_paths);
    if (d->cset)
        contract_set_free(d->cset);
    memset(d, 0, sizeof *d);
}
