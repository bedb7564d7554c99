/* Instantiation: import matching (with limits subtyping), allocation of the module's own
 * functions/tables/memory/globals in the store, constant expression evaluation, element
 * and data segment initialisation in order, the start function, and export lookup. */
#include "sips/engine/internal.h"

bool eval_const(const wasm_instance *inst, wasm_bytes e, uint64_t *out)
{
    wasm_reader r = { e.start, e.start + e.len };
    uint8_t op;
    if (!wasm_read_u8(&r, &op))
        return false;
    switch (op) {
    case 0x41: { int32_t v; if (!wasm_read_s32(&r, &v)) return false; *out = (uint32_t)v; return true; }
    case 0x42: { int64_t v; if (!wasm_read_s64(&r, &v)) return false; *out = (uint64_t)v; return true; }
    case 0x43: { uint32_t v; if (!wasm_read_f32(&r, &v)) return false; *out = v; return true; }
    case 0x44: { uint64_t v; if (!wasm_read_f64(&r, &v)) return false; *out = v; return true; }
    case 0xD0: *out = WASM_REF_NULL; return true;
    case 0xD2: {
        uint32_t x;
        if (!wasm_read_u32(&r, &x) || x >= inst->m->nfuncs_all) return false;
        *out = inst->func_addrs[x];
        return true;
    }
    case 0x23: {
        uint32_t x;
        if (!wasm_read_u32(&r, &x) || x >= inst->m->nglobals_all) return false;
        *out = *inst->globals[x];
        return true;
    }
    default:
        return false;
    }
}

static bool limits_match(wasm_limits have, wasm_limits want)
{
    if (have.min < want.min)
        return false;
    if (want.has_max && (!have.has_max || have.max > want.max))
        return false;
    return true;
}

static wasm_errcode check_import(wasm_store *s, const wasm_module *m, const wasm_decoded_import *im,
                                 wasm_extern ex, wasm_err *err)
{
    if (ex.kind != im->kind)
        return engine_err(err, WASM_ERR_LINK, "incompatible import type");
    switch (im->kind) {
    case WASM_EXTERN_FUNC: {
        if (ex.addr >= s->nfuncs)
            return engine_err(err, WASM_ERR_LINK, "unknown import");
        const wasm_decoded_type *t = &m->d.types[im->type_index];
        wasm_functype want = { t->nparams, t->nresults, t->params, t->results };
        if (!functype_eq(&s->funcs[ex.addr]->type, &want))
            return engine_err(err, WASM_ERR_LINK, "incompatible import type");
        return WASM_OK;
    }
    case WASM_EXTERN_TABLE: {
        wasm_tabletype have;
        if (!wasm_table_type(s, ex.addr, &have))
            return engine_err(err, WASM_ERR_LINK, "unknown import");
        if (have.elem != im->table.elem || !limits_match(have.limits, im->table.limits))
            return engine_err(err, WASM_ERR_LINK, "incompatible import type");
        return WASM_OK;
    }
    case WASM_EXTERN_MEMORY: {
        wasm_limits have;
        if (!wasm_memory_type(s, ex.addr, &have))
            return engine_err(err, WASM_ERR_LINK, "unknown import");
        if (!limits_match(have, im->memory))
            return engine_err(err, WASM_ERR_LINK, "incompatible import type");
        return WASM_OK;
    }
    case WASM_EXTERN_GLOBAL: {
        wasm_globaltype have;
        if (!wasm_global_type(s, ex.addr, &have))
            return engine_err(err, WASM_ERR_LINK, "unknown import");
        if (have.type != im->global.type || have.mut != im->global.mut)
            return engine_err(err, WASM_ERR_LINK, "incompatible import type");
        return WASM_OK;
    }
    }
    return engine_err(err, WASM_ERR_LINK, "incompatible import type");
}

#define NOMEM() do { rc = engine_err(err, WASM_ERR_NOMEM, "out of memory"); goto fail; } while (0)

wasm_errcode instance_link(wasm_store *s, const wasm_module *m, const wasm_extern *imports,
                           uint32_t nimports, wasm_instance **out, wasm_err *err)
{
    const wasm_decoded *d = &m->d;
    wasm_errcode rc;
    *out = NULL;
    if (nimports != d->nimports || (nimports && !imports))
        return engine_err(err, WASM_ERR_LINK, "unknown import: wrong number of imports");
    for (uint32_t i = 0; i < nimports; i++)
        if ((rc = check_import(s, m, &d->imports[i], imports[i], err)))
            return rc;
    if (!engine_grow((void **)&s->insts, &s->cinsts, s->ninsts + 1, sizeof(wasm_instance *)))
        return engine_err(err, WASM_ERR_NOMEM, "out of memory");
    wasm_instance *inst = rt_calloc(sizeof *inst);
    if (!inst)
        return engine_err(err, WASM_ERR_NOMEM, "out of memory");
    inst->s = s;
    inst->m = m;
    inst->mem_addr = UINT32_MAX;
    inst->funcs = rt_calloc(sizeof(store_func *) * (m->nfuncs_all + 1));
    inst->func_addrs = rt_calloc(sizeof(uint32_t) * (m->nfuncs_all + 1));
    inst->tables = rt_calloc(sizeof(store_table *) * (m->ntables_all + 1));
    inst->table_addrs = rt_calloc(sizeof(uint32_t) * (m->ntables_all + 1));
    inst->globals = rt_calloc(sizeof(uint64_t *) * (m->nglobals_all + 1));
    inst->global_addrs = rt_calloc(sizeof(uint32_t) * (m->nglobals_all + 1));
    inst->type_sigs = rt_calloc(sizeof(uint32_t) * (d->ntypes + 1));
    inst->elems = rt_calloc(sizeof(elem_inst) * (d->nelems + 1));
    inst->datas = rt_calloc(sizeof(data_inst) * (d->ndatas + 1));
    s->insts[s->ninsts++] = inst;       /* owned by the store from here on */
    if (!inst->funcs || !inst->func_addrs || !inst->tables || !inst->table_addrs ||
        !inst->globals || !inst->global_addrs || !inst->type_sigs || !inst->elems || !inst->datas)
        NOMEM();
    for (uint32_t i = 0; i < d->ntypes; i++) {
        wasm_functype t = { d->types[i].nparams, d->types[i].nresults, d->types[i].params,
                            d->types[i].results };
        if ((inst->type_sigs[i] = store_intern_sig(s, &t)) == UINT32_MAX)
            NOMEM();
    }
    uint32_t nf = 0, nt = 0, ng = 0;
    for (uint32_t i = 0; i < nimports; i++) {
        wasm_extern ex = imports[i];
        switch (ex.kind) {
        case WASM_EXTERN_FUNC:
            inst->func_addrs[nf] = ex.addr;
            inst->funcs[nf++] = s->funcs[ex.addr];
            break;
        case WASM_EXTERN_TABLE:
            inst->table_addrs[nt] = ex.addr;
            inst->tables[nt++] = s->tables[ex.addr];
            break;
        case WASM_EXTERN_MEMORY:
            inst->mem_addr = ex.addr;
            inst->mem = s->mems[ex.addr];
            break;
        case WASM_EXTERN_GLOBAL:
            inst->global_addrs[ng] = ex.addr;
            inst->globals[ng++] = &s->globals[ex.addr]->val;
            break;
        }
    }
    for (uint32_t i = 0; i < d->nfuncs; i++) {
        const wasm_decoded_type *t = &d->types[d->funcs[i].type_index];
        wasm_functype ft = { t->nparams, t->nresults, t->params, t->results };
        uint32_t a = store_add_func(s, &ft, inst, &m->codes[i], nf, NULL, NULL);
        if (a == UINT32_MAX)
            NOMEM();
        inst->func_addrs[nf] = a;
        inst->funcs[nf++] = s->funcs[a];
    }
    for (uint32_t i = 0; i < d->ntables; i++) {
        uint32_t a = store_add_table(s, d->tables[i], WASM_REF_NULL);
        if (a == UINT32_MAX) {
            rc = engine_err(err, WASM_ERR_LIMIT, "table too large");
            goto fail;
        }
        inst->table_addrs[nt] = a;
        inst->tables[nt++] = s->tables[a];
    }
    for (uint32_t i = 0; i < d->nmemories; i++) {
        bool quota;
        uint32_t a = store_add_memory(s, d->memories[i], &quota);
        if (a == UINT32_MAX) {
            rc = quota ? engine_err(err, WASM_ERR_LIMIT, "memory limit exceeded")
                       : engine_err(err, WASM_ERR_NOMEM, "out of memory");
            goto fail;
        }
        inst->mem_addr = a;
        inst->mem = s->mems[a];
    }
    for (uint32_t i = 0; i < d->nglobals; i++) {
        uint64_t v;
        /* global initialisers see the imported globals and all functions */
        if (!eval_const(inst, d->globals[i].init, &v)) {
            rc = engine_err(err, WASM_ERR_INVALID, "bad constant expression");
            goto fail;
        }
        uint32_t a = store_add_global(s, d->globals[i].type, v);
        if (a == UINT32_MAX)
            NOMEM();
        inst->global_addrs[ng] = a;
        inst->globals[ng++] = &s->globals[a]->val;
    }
    for (uint32_t i = 0; i < d->nelems; i++) {
        const wasm_decoded_elem *e = &d->elems[i];
        inst->elems[i].refs = rt_malloc(sizeof(uint64_t) * (e->nitems + 1));
        if (!inst->elems[i].refs)
            NOMEM();
        inst->elems[i].n = e->nitems;
        for (uint32_t j = 0; j < e->nitems; j++) {
            const wasm_elem_item *it = &e->items[j];
            if (!it->is_expr)
                inst->elems[i].refs[j] = inst->func_addrs[it->func_index];
            else if (!eval_const(inst, it->expr, &inst->elems[i].refs[j])) {
                rc = engine_err(err, WASM_ERR_INVALID, "bad constant expression");
                goto fail;
            }
        }
    }
    for (uint32_t i = 0; i < d->ndatas; i++) {
        inst->datas[i].bytes = d->datas[i].bytes;
        inst->datas[i].len = d->datas[i].len;
    }
    *out = inst;
    return WASM_OK;
fail:
    return rc;
}

static wasm_errcode trap_err(wasm_err *err, wasm_trap t)
{
    return engine_err(err, WASM_ERR_TRAP, wasm_trap_text(t));
}

/* Active element and data segments in order, then drop them (and declarative ones). */
static wasm_errcode init_segments(wasm_instance *inst, wasm_err *err)
{
    const wasm_decoded *d = &inst->m->d;
    for (uint32_t i = 0; i < d->nelems; i++) {
        const wasm_decoded_elem *e = &d->elems[i];
        if (e->mode == WASM_SEG_ACTIVE) {
            uint64_t off;
            eval_const(inst, e->offset, &off);
            store_table *t = inst->tables[e->table_index];
            uint32_t n = inst->elems[i].n;
            if ((uint64_t)(uint32_t)off + n > t->size)
                return trap_err(err, WASM_TRAP_TABLE_OOB);
            if (n)
                rt_memcpy(t->elems + (uint32_t)off, inst->elems[i].refs, (size_t)n * 8);
        }
        if (e->mode != WASM_SEG_PASSIVE)
            inst->elems[i].n = 0;
    }
    for (uint32_t i = 0; i < d->ndatas; i++) {
        const wasm_decoded_data *sg = &d->datas[i];
        if (sg->mode != WASM_SEG_ACTIVE)
            continue;
        uint64_t off;
        eval_const(inst, sg->offset, &off);
        store_mem *mem = inst->mem;
        if (!mem || (uint64_t)(uint32_t)off + sg->len > mem->size)
            return trap_err(err, WASM_TRAP_MEMORY_OOB);
        if (sg->len)
            rt_memcpy(mem->data + (uint32_t)off, sg->bytes, sg->len);
        inst->datas[i].len = 0;
    }
    return WASM_OK;
}

wasm_errcode wasm_instantiate(wasm_store *s, const wasm_module *m, const wasm_extern *imports,
                              uint32_t nimports, bool run_start, uint64_t start_fuel,
                              wasm_instance **out, wasm_err *err)
{
    if (out)
        *out = NULL;
    if (!s || !m)
        return engine_err(err, WASM_ERR_ARG, "null store or module");
    bool start = run_start && m->d.has_start;
    if (start && !wasm_thread_idle(s))
        return engine_err(err, WASM_ERR_ARG, "store thread is busy");
    wasm_instance *inst;
    wasm_errcode rc = instance_link(s, m, imports, nimports, &inst, err);
    if (rc)
        return rc;
    if ((rc = init_segments(inst, err)))
        return rc;
    if (start) {
        rc = wasm_invoke_begin(s, inst->func_addrs[m->d.start], NULL, 0, err);
        if (rc)
            return rc;
        wasm_run_status st = wasm_run(s, start_fuel ? start_fuel : UINT64_MAX);
        if (st == WASM_RUN_TRAP) {
            const char *msg;
            wasm_run_trap(s, &msg);
            return engine_err(err, WASM_ERR_TRAP, msg);
        }
        if (st == WASM_RUN_EXIT)
            return engine_err(err, WASM_ERR_TRAP, "start function exited");
        if (st != WASM_RUN_DONE) {
            thread_reset(s);
            return engine_err(err, WASM_ERR_LIMIT, st == WASM_RUN_FUEL
                              ? "start function ran out of fuel" : "start function yielded");
        }
        thread_reset(s);
    }
    if (out)
        *out = inst;
    return WASM_OK;
}

bool wasm_instance_export(const wasm_instance *inst, const char *name, uint32_t name_len,
                          wasm_extern *out)
{
    if (!inst || !name)
        return false;
    const wasm_decoded *d = &inst->m->d;
    for (uint32_t i = 0; i < d->nexports; i++) {
        const wasm_decoded_export *e = &d->exports[i];
        if (e->name_len != name_len || (name_len && rt_memcmp(e->name, name, name_len) != 0))
            continue;
        out->kind = e->kind;
        switch (e->kind) {
        case WASM_EXTERN_FUNC: out->addr = inst->func_addrs[e->index]; break;
        case WASM_EXTERN_TABLE: out->addr = inst->table_addrs[e->index]; break;
        case WASM_EXTERN_MEMORY: out->addr = inst->mem_addr; break;
        default: out->addr = inst->global_addrs[e->index]; break;
        }
        return true;
    }
    return false;
}

const wasm_module *wasm_instance_module(const wasm_instance *inst) { return inst ? inst->m : NULL; }

uint8_t *wasm_instance_memory(wasm_instance *inst, uint64_t *size_bytes)
{
    if (!inst || !inst->mem) {
        if (size_bytes) *size_bytes = 0;
        return NULL;
    }
    if (size_bytes)
        *size_bytes = inst->mem->size;
    return inst->mem->data;
}
