/* Applying and deleting applications. apply validates the manifest, reads and hashes
 * every module, and stores app, SIPs (desired = run, observed = pending), channels and
 * modules in one transaction: an invalid manifest or an unreadable module changes
 * nothing. The reconcile loop then places and starts the SIPs. */
#include "orchestrator/orchd.h"
#include "orchestrator/manifest.h"
#include "orchestrator/sha256.h"
#include "contracts/contract.h"
#include "sips/engine/engine.h"
#include <stdbool.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MODULE_MAX (64u << 20)

static json_t *error_json(int *status, int code, const char *msg)
{
    *status = code;
    return json_pack("{s:s}", "error", msg);
}

/* Why a file could not be opened; for a missing file given by a relative path, also
 * where it was looked for (relative paths are taken from sipctl's working directory). */
static void open_error(const char *path, const char *name, char *err, size_t errlen)
{
    if (errno == ENOENT && name[0] != '/' && strcmp(path, name))
        snprintf(err, errlen, "%s (looked for %s: relative paths start where sipctl runs)",
                 strerror(errno), path);
    else
        snprintf(err, errlen, "%s", strerror(errno));
}

/* A module is accepted only if a node would load it: it decodes and validates completely,
 * and imports from nothing but the SIP ABI (`sip`) and `wasi_snapshot_preview1`. Checking
 * here refuses a bad app at apply time instead of leaving its SIPs failed on the nodes. */
static bool module_acceptable(const uint8_t *buf, size_t n, char *err, size_t errlen)
{
    wasm_module *m = NULL;
    wasm_err werr;
    if (n < 8 || memcmp(buf, "\0asm", 4)) {
        snprintf(err, errlen, "not a WebAssembly module");
        return false;
    }
    if (wasm_module_load(buf, n, &m, &werr) != WASM_OK) {
        snprintf(err, errlen, "not a valid WebAssembly module: %s", werr.msg);
        return false;
    }
    bool ok = true;
    for (uint32_t i = 0; ok && i < wasm_module_num_imports(m); i++) {
        wasm_importdesc d;
        wasm_module_import(m, i, &d);
        bool sip = d.module_len == 3 && !memcmp(d.module, "sip", 3);
        bool wasi = d.module_len == 22 && !memcmp(d.module, "wasi_snapshot_preview1", 22);
        if (!sip && !wasi) {
            snprintf(err, errlen, "imports \"%.*s.%.*s\": a SIP may import only from sip and "
                     "wasi_snapshot_preview1", (int)d.module_len, d.module, (int)d.name_len, d.name);
            ok = false;
        }
    }
    wasm_module_free(m);
    return ok;
}

static uint8_t *read_module(const char *path, const char *name, size_t *len, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        open_error(path, name, err, errlen);
        return NULL;
    }
    uint8_t *buf = NULL;
    size_t n = 0, cap = 0, got;
    do {
        if (n + 65536 > cap) {
            cap = (n + 65536) * 2;
            buf = realloc(buf, cap);
        }
        got = fread(buf + n, 1, cap - n, f);
        n += got;
    } while (got > 0 && n <= MODULE_MAX);
    fclose(f);
    if (n > MODULE_MAX) {
        snprintf(err, errlen, "larger than %u MiB", MODULE_MAX >> 20);
        free(buf);
        return NULL;
    }
    if (!module_acceptable(buf, n, err, errlen)) {
        free(buf);
        return NULL;
    }
    *len = n;
    return buf;
}

static char *read_text(const char *path, const char *name, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        open_error(path, name, err, errlen);
        return NULL;
    }
    char *buf = NULL;
    size_t n = 0, got;
    do {
        buf = realloc(buf, n + 65536 + 1);
        got = fread(buf + n, 1, 65536, f);
        n += got;
    } while (got > 0 && n <= (1u << 20));
    fclose(f);
    buf[n] = 0;
    if (n > (1u << 20) || strlen(buf) != n) {
        snprintf(err, errlen, "not a contract file (too large or binary)");
        free(buf);
        return NULL;
    }
    return buf;
}

/* Read and check the manifest's contract files as one set; every endpoint and channel
 * must name a contract in it. texts[i] gets file i's source. 0, or -1 with err. */
static int check_contracts(const om_app *a, const char *file, const char *base, char **texts,
                           char *err, size_t errlen)
{
    if (!a->ncontracts)
        return 0;       /* the nodes bring the contracts (sipnode -c) */
    contract_set *set = contract_set_new();
    int rc = 0;
    for (uint32_t i = 0; i < a->ncontracts && !rc; i++) {
        char path[PATH_MAX], why[400];
        if (a->contracts[i][0] == '/' || !base || !base[0])
            snprintf(path, sizeof path, "%s", a->contracts[i]);
        else
            snprintf(path, sizeof path, "%s/%s", base, a->contracts[i]);
        if (!(texts[i] = read_text(path, a->contracts[i], why, sizeof why))) {
            snprintf(err, errlen, "%s: contracts: %s: %s", file, a->contracts[i], why);
            rc = -1;
            break;
        }
        contract_error ce;
        if (contract_set_add(set, texts[i], strlen(texts[i]), a->contracts[i], &ce)) {
            snprintf(err, errlen, "%s: contracts: %s", file, ce.text);
            rc = -1;
        }
    }
    contract_error ce;
    if (!rc && contract_set_finish(set, &ce)) {
        snprintf(err, errlen, "%s: contracts: %s", file, ce.text);
        rc = -1;
    }
    for (uint32_t i = 0; i < a->nsips && !rc; i++)
        for (uint32_t j = 0; j < a->sips[i].neps && !rc; j++)
            if (!contract_find(set, a->sips[i].eps[j].contract)) {
                snprintf(err, errlen, "%s:%u: endpoints.contract: no contract '%s' in the manifest's contracts",
                         file, a->sips[i].line, a->sips[i].eps[j].contract);
                rc = -1;
            }
    contract_set_free(set);
    return rc;
}

static char *spec_json(const om_sip *s)
{
    json_t *args = json_array(), *env = json_object(), *labels = json_object();
    json_t *aff = json_array(), *anti = json_array(), *eps = json_array();
    for (uint32_t i = 0; i < s->nargs; i++)
        json_array_append_new(args, json_string(s->args[i]));
    for (uint32_t i = 0; i < s->nenv; i++)
        json_object_set_new(env, s->env[i].key, json_string(s->env[i].value));
    for (uint32_t i = 0; i < s->nlabels; i++)
        json_object_set_new(labels, s->labels[i].key, json_string(s->labels[i].value));
    for (uint32_t i = 0; i < s->naffinity; i++)
        json_array_append_new(aff, json_string(s->affinity[i]));
    for (uint32_t i = 0; i < s->nanti; i++)
        json_array_append_new(anti, json_string(s->anti[i]));
    for (uint32_t i = 0; i < s->neps; i++)
        json_array_append_new(eps, json_pack("{s:s,s:s}", "name", s->eps[i].name, "contract", s->eps[i].contract));
    json_t *spec = json_pack("{s:o,s:o,s:o,s:o,s:o,s:o,s:s}", "args", args, "env", env, "labels", labels,
                             "affinity", aff, "anti_affinity", anti, "endpoints", eps, "module", s->module);
    char *text = json_dumps(spec, JSON_COMPACT);
    json_decref(spec);
    return text;
}

json_t *orch_apply(orchd *o, const char *file, const char *text, size_t len, const char *base, int *status)
{
    char err[512];
    om_app a;
    o->m.applies++;
    if (om_parse(text, len, file, &a, err, sizeof err)) {
        o->m.apply_errors++;
        return error_json(status, 400, err);
    }
    char *old = store_text(o->st, "SELECT manifest FROM apps WHERE name = %Q", a.name);
    if (old) {
        int same = strlen(old) == len && !memcmp(old, text, len);
        free(old);
        json_t *r;
        if (same) {
            *status = 200;
            r = json_pack("{s:s,s:b}", "app", a.name, "unchanged", 1);
        } else {
            snprintf(err, sizeof err, "%s: app '%s' exists with another manifest: delete it first", file, a.name);
            o->m.apply_errors++;
            r = error_json(status, 409, err);
        }
        om_free(&a);
        return r;
    }
    /* read and check the contracts, read and hash every module, before touching the store */
    char (*hashes)[65] = calloc(a.nsips + 1, sizeof *hashes);
    uint8_t **mods = calloc(a.nsips + 1, sizeof *mods);
    size_t *lens = calloc(a.nsips + 1, sizeof *lens);
    char **ctexts = calloc(a.ncontracts + 1, sizeof *ctexts);
    json_t *result = NULL;
    if (check_contracts(&a, file, base, ctexts, err, sizeof err)) {
        o->m.apply_errors++;
        result = error_json(status, 400, err);
    }
    for (uint32_t i = 0; i < a.nsips && !result; i++) {
        char path[PATH_MAX], why[400];
        if (a.sips[i].module[0] == '/' || !base || !base[0])
            snprintf(path, sizeof path, "%s", a.sips[i].module);
        else
            snprintf(path, sizeof path, "%s/%s", base, a.sips[i].module);
        mods[i] = read_module(path, a.sips[i].module, &lens[i], why, sizeof why);
        if (!mods[i]) {
            snprintf(err, sizeof err, "%s:%u: module: %s: %s", file, a.sips[i].line, a.sips[i].module, why);
            o->m.apply_errors++;
            result = error_json(status, 400, err);
            break;
        }
        uint8_t d[32];
        sha256(mods[i], lens[i], d);
        sha256_hex(d, hashes[i]);
    }
    if (!result && store_begin(o->st))
        result = error_json(status, 500, store_error(o->st));
    if (!result) {
        uint64_t now = store_now_ms();
        int bad = store_exec(o->st, "INSERT INTO apps(name, file, manifest, created_ms, updated_ms)"
                             " VALUES(%Q, %Q, %Q, %lld, %lld)", a.name, file, text, (long long)now, (long long)now);
        json_t *ids = json_array();
        for (uint32_t i = 0; i < a.nsips && !bad; i++) {
            const om_sip *s = &a.sips[i];
            bad |= store_put_module(o->st, hashes[i], mods[i], lens[i]);
            char *spec = spec_json(s);
            for (uint32_t r = 0; r < s->replicas && !bad; r++) {
                char id[128];
                snprintf(id, sizeof id, "%s/%s/%u", a.name, s->name, r);
                json_array_append_new(ids, json_string(id));
                bad |= store_exec(o->st,
                    "INSERT INTO sips(id, app, name, replica, module_hash, memory, fuel, spec, restart,"
                    " backoff_ms, max_backoff_ms, desired, observed, updated_ms)"
                    " VALUES(%Q,%Q,%Q,%d,%Q,%lld,%lld,%Q,%Q,%d,%d,'run','pending',%lld)",
                    id, a.name, s->name, (int)r, hashes[i], (long long)s->memory, (long long)s->fuel, spec,
                    om_restart_name(s->restart), (int)s->backoff_ms, (int)s->max_backoff_ms, (long long)now);
            }
            free(spec);
        }
        for (uint32_t i = 0; i < a.ncontracts && !bad; i++)
            bad |= store_exec(o->st, "INSERT INTO contracts(app, file, source) VALUES(%Q, %Q, %Q)",
                              a.name, a.contracts[i], ctexts[i]);
        for (uint32_t i = 0; i < a.nchans && !bad; i++) {
            const om_channel *c = &a.chans[i];
            bad |= store_exec(o->st, "INSERT INTO channels(app, contract, imp_sip, imp_ep, exp_sip, exp_ep)"
                              " VALUES(%Q,%Q,%Q,%Q,%Q,%Q)", a.name, c->contract, c->imp_sip, c->imp_ep,
                              c->exp_sip, c->exp_ep);
        }
        if (bad || store_commit(o->st)) {
            store_rollback(o->st);
            json_decref(ids);
            result = error_json(status, 500, store_error(o->st));
        } else {
            store_event(o->st, "app", a.name, "applied from %s: %u SIPs, %u channels", file,
                        (unsigned)json_array_size(ids), a.nchans);
            *status = 201;
            result = json_pack("{s:s,s:o,s:i}", "app", a.name, "sips", ids, "channels", (int)a.nchans);
        }
    }
    for (uint32_t i = 0; i < a.nsips; i++)
        free(mods[i]);
    for (uint32_t i = 0; i < a.ncontracts; i++)
        free(ctexts[i]);
    free(ctexts);
    free(mods);
    free(lens);
    free(hashes);
    om_free(&a);
    return result;
}

json_t *orch_delete_app(orchd *o, const char *app, int *status)
{
    if (!store_int(o->st, 0, "SELECT count(*) FROM apps WHERE name = %Q", app)) {
        char err[128];
        snprintf(err, sizeof err, "no app named '%s'", app);
        return error_json(status, 404, err);
    }
    int64_t n = store_int(o->st, 0, "SELECT count(*) FROM sips WHERE app = %Q", app);
    store_begin(o->st);
    /* rows being deleted get an id of their own, so the app can be applied again at once;
     * the reconcile loop stops them under their original app/sip/replica id */
    store_exec(o->st, "UPDATE sips SET desired = 'delete', id = id || '#deleted-' || %lld WHERE app = %Q"
               " AND desired = 'run'", (long long)store_now_ms(), app);
    store_exec(o->st, "DELETE FROM channels WHERE app = %Q", app);
    store_exec(o->st, "DELETE FROM contracts WHERE app = %Q", app);
    store_exec(o->st, "DELETE FROM logs WHERE substr(sip_id, 1, length(%Q) + 1) = %Q || '/'", app, app);
    store_exec(o->st, "DELETE FROM apps WHERE name = %Q", app);
    store_commit(o->st);
    store_event(o->st, "app", app, "deleted (%lld SIPs stopping)", (long long)n);
    *status = 200;
    return json_pack("{s:s,s:I}", "deleted", app, "sips", (json_int_t)n);
}
