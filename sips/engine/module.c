/* Modules: load (decode, hash, validate, compile every body), free, and describe imports
 * and exports. */
#include "sips/engine/internal.h"

void wasm_module_free(wasm_module *m)
{
    if (!m)
        return;
    if (m->codes) {
        for (uint32_t i = 0; i < m->d.nfuncs; i++)
            rt_free(m->codes[i].code);
        rt_free(m->codes);
    }
    rt_free(m->func_types);
    rt_free(m->table_types);
    rt_free(m->mem_types);
    rt_free(m->global_types);
    rt_free(m->func_declared);
    wasm_decoded_free(&m->d);
    rt_free(m);
}

/* After a validation error: a body from `from` on that does not even decode makes the
 * module malformed instead (decoding precedes validation in the spec). */
static void first_malformed(const wasm_module *m, uint32_t from, wasm_err *err, wasm_errcode *rc)
{
    if (*rc != WASM_ERR_INVALID)
        return;
    for (uint32_t i = from; i < m->d.nfuncs; i++) {
        wasm_err e;
        if (!wasm_skim_body(m->d.funcs[i].body, &e)) {
            if (err)
                *err = e;
            *rc = WASM_ERR_MALFORMED;
            return;
        }
    }
}

wasm_errcode wasm_module_load(const uint8_t *bytes, size_t len, wasm_module **out, wasm_err *err)
{
    if (out)
        *out = NULL;
    if (!out || (!bytes && len))
        return engine_err(err, WASM_ERR_ARG, "bad arguments");
    wasm_module *m = rt_calloc(sizeof *m);
    if (!m)
        return engine_err(err, WASM_ERR_NOMEM, "out of memory");
    wasm_errcode rc = wasm_decode(bytes, len, &m->d, err);
    if (rc) {
        rt_free(m);
        return rc;
    }
    wasm_sha256(m->d.binary, m->d.binary_len, m->hash);
    if ((rc = wasm_validate_module(m, err))) {
        first_malformed(m, 0, err, &rc);
        goto fail;
    }
    m->codes = rt_calloc(sizeof(wasm_code) * (m->d.nfuncs + 1));
    if (!m->codes) {
        rc = engine_err(err, WASM_ERR_NOMEM, "out of memory");
        goto fail;
    }
    for (uint32_t i = 0; i < m->d.nfuncs; i++) {
        if ((rc = wasm_compile_func(m, i, &m->codes[i], err))) {
            if (rc == WASM_ERR_INVALID)
                first_malformed(m, i, err, &rc);
            goto fail;
        }
    }
    *out = m;
    return WASM_OK;
fail:
    wasm_module_free(m);
    return rc;
}

const uint8_t *wasm_module_hash(const wasm_module *m) { return m ? m->hash : NULL; }

uint32_t wasm_module_num_imports(const wasm_module *m) { return m ? m->d.nimports : 0; }

void wasm_module_import(const wasm_module *m, uint32_t i, wasm_importdesc *out)
{
    rt_memset(out, 0, sizeof *out);
    if (!m || i >= m->d.nimports)
        return;
    const wasm_decoded_import *im = &m->d.imports[i];
    out->module = im->module;
    out->module_len = im->module_len;
    out->name = im->name;
    out->name_len = im->name_len;
    out->kind = im->kind;
    if (im->kind == WASM_EXTERN_FUNC) {
        const wasm_decoded_type *t = &m->d.types[im->type_index];
        out->func.nparams = t->nparams;
        out->func.nresults = t->nresults;
        out->func.params = t->params;
        out->func.results = t->results;
    }
    out->table = im->table;
    out->memory = im->memory;
    out->global = im->global;
}

uint32_t wasm_module_num_exports(const wasm_module *m) { return m ? m->d.nexports : 0; }

void wasm_module_export(const wasm_module *m, uint32_t i, wasm_exportdesc *out)
{
    rt_memset(out, 0, sizeof *out);
    if (!m || i >= m->d.nexports)
        return;
    out->name = m->d.exports[i].name;
    out->name_len = m->d.exports[i].name_len;
    out->kind = m->d.exports[i].kind;
}
