/* Module-level validation: index spaces, limits, constant expressions, exports, start
 * function, segments, and the set of functions ref.func may name. Function bodies are
 * validated by compile.c. */
#include "sips/engine/internal.h"

static wasm_errcode invalid(wasm_err *err, const char *msg)
{
    return engine_err(err, WASM_ERR_INVALID, msg);
}

static bool limits_ok(wasm_limits l, uint64_t bound)
{
    if (l.min > bound)
        return false;
    if (l.has_max && (l.max > bound || l.max < l.min))
        return false;
    return true;
}

static wasm_errcode check_limits(wasm_limits l, uint64_t bound, const char *what, wasm_err *err)
{
    if (l.has_max && l.max < l.min)
        return invalid(err, "size minimum must not be greater than maximum");
    if (!limits_ok(l, bound))
        return invalid(err, what);
    return WASM_OK;
}

/* Walk a constant expression: one value of `type`, only constant instructions. */
wasm_errcode wasm_validate_const(const wasm_module *m, wasm_bytes e, uint8_t type, wasm_err *err)
{
    wasm_reader r = { e.start, e.start + e.len };
    uint8_t stack[2];
    uint32_t n = 0;
    for (;;) {
        uint8_t op, t = 0;
        if (!wasm_read_u8(&r, &op))
            return engine_err(err, WASM_ERR_MALFORMED, "unexpected end");
        if (op == 0x0B)
            break;
        switch (op) {
        case 0x41: { int32_t v; if (!wasm_read_s32(&r, &v)) goto bad_imm; t = WASM_I32; break; }
        case 0x42: { int64_t v; if (!wasm_read_s64(&r, &v)) goto bad_imm; t = WASM_I64; break; }
        case 0x43: { uint32_t v; if (!wasm_read_f32(&r, &v)) goto bad_imm; t = WASM_F32; break; }
        case 0x44: { uint64_t v; if (!wasm_read_f64(&r, &v)) goto bad_imm; t = WASM_F64; break; }
        case 0xD0:
            if (!wasm_read_u8(&r, &t))
                goto bad_imm;
            if (t != WASM_FUNCREF && t != WASM_EXTERNREF)
                return engine_err(err, WASM_ERR_MALFORMED, "malformed reference type");
            break;
        case 0xD2: {
            uint32_t x;
            if (!wasm_read_u32(&r, &x))
                goto bad_imm;
            if (x >= m->nfuncs_all)
                return invalid(err, "unknown function");
            t = WASM_FUNCREF;
            break;
        }
        case 0x23: {
            uint32_t x;
            if (!wasm_read_u32(&r, &x))
                goto bad_imm;
            if (x >= m->d.num_imported_globals)
                return invalid(err, "unknown global");
            if (m->global_types[x].mut)
                return invalid(err, "constant expression required");
            t = m->global_types[x].type;
            break;
        }
        default:
            return invalid(err, "constant expression required");
        }
        if (n == 2)
            return invalid(err, "type mismatch");
        stack[n++] = t;
    }
    if (r.p != r.end)
        return engine_err(err, WASM_ERR_MALFORMED, "constant expression too long");
    if (n != 1 || stack[0] != type)
        return invalid(err, "type mismatch");
    return WASM_OK;
bad_imm:
    return engine_err(err, WASM_ERR_MALFORMED, "malformed constant expression");
}

/* Mark function indices named by ref.func in a constant expression as declared. */
static void declare_refs(wasm_module *m, wasm_bytes e)
{
    if (e.len >= 2 && e.start[0] == 0xD2) {
        wasm_reader r = { e.start + 1, e.start + e.len };
        uint32_t x;
        if (wasm_read_u32(&r, &x) && x < m->nfuncs_all)
            m->func_declared[x] = true;
    }
}

static wasm_errcode build_index_spaces(wasm_module *m, wasm_err *err)
{
    wasm_decoded *d = &m->d;
    m->nfuncs_all = d->num_imported_funcs + d->nfuncs;
    m->ntables_all = d->num_imported_tables + d->ntables;
    m->nmems_all = d->num_imported_memories + d->nmemories;
    m->nglobals_all = d->num_imported_globals + d->nglobals;
    m->func_types = rt_calloc(sizeof(uint32_t) * (m->nfuncs_all + 1));
    m->func_declared = rt_calloc(m->nfuncs_all + 1);
    m->table_types = rt_calloc(sizeof(wasm_tabletype) * (m->ntables_all + 1));
    m->mem_types = rt_calloc(sizeof(wasm_limits) * (m->nmems_all + 1));
    m->global_types = rt_calloc(sizeof(wasm_globaltype) * (m->nglobals_all + 1));
    if (!m->func_types || !m->func_declared || !m->table_types || !m->mem_types || !m->global_types)
        return engine_err(err, WASM_ERR_NOMEM, "out of memory");
    uint32_t nf = 0, nt = 0, nm = 0, ng = 0;
    for (uint32_t i = 0; i < d->nimports; i++) {
        const wasm_decoded_import *im = &d->imports[i];
        switch (im->kind) {
        case WASM_EXTERN_FUNC:
            if (im->type_index >= d->ntypes)
                return invalid(err, "unknown type");
            m->func_types[nf++] = im->type_index;
            break;
        case WASM_EXTERN_TABLE:
            m->table_types[nt++] = im->table;
            break;
        case WASM_EXTERN_MEMORY:
            m->mem_types[nm++] = im->memory;
            break;
        case WASM_EXTERN_GLOBAL:
            m->global_types[ng++] = im->global;
            break;
        }
    }
    for (uint32_t i = 0; i < d->nfuncs; i++) {
        if (d->funcs[i].type_index >= d->ntypes)
            return invalid(err, "unknown type");
        m->func_types[nf++] = d->funcs[i].type_index;
    }
    for (uint32_t i = 0; i < d->ntables; i++)
        m->table_types[nt++] = d->tables[i];
    for (uint32_t i = 0; i < d->nmemories; i++)
        m->mem_types[nm++] = d->memories[i];
    for (uint32_t i = 0; i < d->nglobals; i++)
        m->global_types[ng++] = d->globals[i].type;
    return WASM_OK;
}

static bool name_eq(const wasm_decoded_export *a, const wasm_decoded_export *b)
{
    return a->name_len == b->name_len && (!a->name_len || rt_memcmp(a->name, b->name, a->name_len) == 0);
}

/* Sort helper for duplicate export detection: order by (len, bytes). */
static int name_cmp(const wasm_decoded_export *a, const wasm_decoded_export *b)
{
    if (a->name_len != b->name_len)
        return a->name_len < b->name_len ? -1 : 1;
    return a->name_len ? rt_memcmp(a->name, b->name, a->name_len) : 0;
}

static wasm_errcode check_exports(wasm_module *m, wasm_err *err)
{
    wasm_decoded *d = &m->d;
    for (uint32_t i = 0; i < d->nexports; i++) {
        const wasm_decoded_export *e = &d->exports[i];
        uint32_t bound = e->kind == WASM_EXTERN_FUNC ? m->nfuncs_all
                       : e->kind == WASM_EXTERN_TABLE ? m->ntables_all
                       : e->kind == WASM_EXTERN_MEMORY ? m->nmems_all : m->nglobals_all;
        if (e->index >= bound)
            return invalid(err, e->kind == WASM_EXTERN_FUNC ? "unknown function"
                              : e->kind == WASM_EXTERN_TABLE ? "unknown table"
                              : e->kind == WASM_EXTERN_MEMORY ? "unknown memory" : "unknown global");
        if (e->kind == WASM_EXTERN_FUNC)
            m->func_declared[e->index] = true;
    }
    if (d->nexports < 2)
        return WASM_OK;
    /* duplicate names: sort pointers (insertion sort into a scratch array is fine for the
     * export counts real modules have; fall back to a merge sort when large) */
    const wasm_decoded_export **v = rt_malloc(sizeof(*v) * d->nexports);
    if (!v)
        return engine_err(err, WASM_ERR_NOMEM, "out of memory");
    for (uint32_t i = 0; i < d->nexports; i++)
        v[i] = &d->exports[i];
    /* shell sort */
    for (uint32_t gap = d->nexports / 2; gap > 0; gap /= 2)
        for (uint32_t i = gap; i < d->nexports; i++)
            for (uint32_t j = i; j >= gap && name_cmp(v[j - gap], v[j]) > 0; j -= gap) {
                const wasm_decoded_export *t = v[j];
                v[j] = v[j - gap];
                v[j - gap] = t;
            }
    wasm_errcode rc = WASM_OK;
    for (uint32_t i = 1; i < d->nexports; i++)
        if (name_eq(v[i - 1], v[i]))
            rc = invalid(err, "duplicate export name");
    rt_free(v);
    return rc;
}

wasm_errcode wasm_validate_module(wasm_module *m, wasm_err *err)
{
    wasm_decoded *d = &m->d;
    wasm_errcode rc = build_index_spaces(m, err);
    if (rc)
        return rc;
    for (uint32_t i = 0; i < m->ntables_all; i++)
        if ((rc = check_limits(m->table_types[i].limits, UINT32_MAX, "table size", err)))
            return rc;
    for (uint32_t i = 0; i < m->nmems_all; i++)
        if ((rc = check_limits(m->mem_types[i], WASM_MAX_PAGES,
                               "memory size must be at most 65536 pages (4GiB)", err)))
            return rc;
    if (m->nmems_all > 1)
        return invalid(err, "multiple memories");
    for (uint32_t i = 0; i < d->nglobals; i++) {
        if ((rc = wasm_validate_const(m, d->globals[i].init, d->globals[i].type.type, err)))
            return rc;
        declare_refs(m, d->globals[i].init);
    }
    for (uint32_t i = 0; i < d->nelems; i++) {
        const wasm_decoded_elem *e = &d->elems[i];
        if (e->mode == WASM_SEG_ACTIVE) {
            if (e->table_index >= m->ntables_all)
                return invalid(err, "unknown table");
            if (m->table_types[e->table_index].elem != e->elem_type)
                return invalid(err, "type mismatch");
            if ((rc = wasm_validate_const(m, e->offset, WASM_I32, err)))
                return rc;
        }
        for (uint32_t j = 0; j < e->nitems; j++) {
            const wasm_elem_item *it = &e->items[j];
            if (!it->is_expr) {
                if (it->func_index >= m->nfuncs_all)
                    return invalid(err, "unknown function");
                m->func_declared[it->func_index] = true;
            } else {
                if ((rc = wasm_validate_const(m, it->expr, e->elem_type, err)))
                    return rc;
                declare_refs(m, it->expr);
            }
        }
    }
    for (uint32_t i = 0; i < d->ndatas; i++) {
        const wasm_decoded_data *s = &d->datas[i];
        if (s->mode == WASM_SEG_ACTIVE) {
            if (s->memory_index >= m->nmems_all)
                return invalid(err, "unknown memory");
            if ((rc = wasm_validate_const(m, s->offset, WASM_I32, err)))
                return rc;
        }
    }
    if (d->has_data_count && d->data_count != d->ndatas)
        return engine_err(err, WASM_ERR_MALFORMED,
                          "data count and data section have inconsistent lengths");
    if ((rc = check_exports(m, err)))
        return rc;
    if (d->has_start) {
        if (d->start >= m->nfuncs_all)
            return invalid(err, "unknown function");
        const wasm_decoded_type *t = &d->types[m->func_types[d->start]];
        if (t->nparams || t->nresults)
            return invalid(err, "start function");
    }
    return WASM_OK;
}
