/* Stores: creation, the address spaces of functions/memories/tables/globals (each object
 * allocated separately so its address stays put), host objects, interned function types,
 * memory and table growth under the store's quota, and the extern accessors. */
#include "sips/engine/internal.h"

#define DEFAULT_STACK_BYTES (1u << 20)
#define DEFAULT_CALL_DEPTH  10000u

wasm_errcode engine_err(wasm_err *err, wasm_errcode code, const char *msg)
{
    if (err) {
        err->code = code;
        size_t n = engine_strlen(msg);
        if (n >= sizeof err->msg)
            n = sizeof err->msg - 1;
        rt_memcpy(err->msg, msg, n);
        err->msg[n] = 0;
    }
    return code;
}

bool engine_grow(void **arr, uint32_t *cap, uint32_t need, size_t elem)
{
    if (need <= *cap)
        return true;
    uint64_t n = *cap ? (uint64_t)*cap * 2 : 8;
    while (n < need)
        n *= 2;
    if (n > UINT32_MAX || n * elem > (uint64_t)SIZE_MAX / 2)
        return false;
    void *p = rt_realloc(*arr, (size_t)(n * elem));
    if (!p)
        return false;
    *arr = p;
    *cap = (uint32_t)n;
    return true;
}

wasm_store *wasm_store_new(const wasm_limits_cfg *limits)
{
    wasm_store *s = rt_calloc(sizeof *s);
    if (!s)
        return NULL;
    if (limits)
        s->lim = *limits;
    if (!s->lim.max_memory_bytes)
        s->lim.max_memory_bytes = (uint64_t)WASM_MAX_PAGES * WASM_PAGE;
    if (!s->lim.max_stack_bytes)
        s->lim.max_stack_bytes = DEFAULT_STACK_BYTES;
    if (!s->lim.max_call_depth)
        s->lim.max_call_depth = DEFAULT_CALL_DEPTH;
    s->max_depth = s->lim.max_call_depth;
    /* the byte budget covers the value stack and the frame records */
    uint64_t frames_bytes = (uint64_t)s->max_depth * sizeof(wasm_frame);
    uint64_t stack_bytes = s->lim.max_stack_bytes > frames_bytes + 4096
                         ? s->lim.max_stack_bytes - frames_bytes : 4096;
    s->stack_slots = (uint32_t)(stack_bytes / WASM_SLOT);
    s->stack = rt_calloc((size_t)s->stack_slots * WASM_SLOT);
    s->frames = rt_malloc((size_t)(s->max_depth + 1) * sizeof(wasm_frame));
    if (!s->stack || !s->frames) {
        wasm_store_free(s);
        return NULL;
    }
    return s;
}

static void free_instance(wasm_instance *inst)
{
    rt_free(inst->funcs); rt_free(inst->func_addrs);
    rt_free(inst->tables); rt_free(inst->table_addrs);
    rt_free(inst->globals); rt_free(inst->global_addrs);
    rt_free(inst->type_sigs);
    if (inst->elems) {
        for (uint32_t i = 0; i < inst->m->d.nelems; i++)
            rt_free(inst->elems[i].refs);
        rt_free(inst->elems);
    }
    rt_free(inst->datas);
    rt_free(inst);
}

void wasm_store_free(wasm_store *s)
{
    if (!s)
        return;
    for (uint32_t i = 0; i < s->nfuncs; i++) {
        rt_free((void *)s->funcs[i]->type.params);
        rt_free((void *)s->funcs[i]->type.results);
        rt_free(s->funcs[i]);
    }
    for (uint32_t i = 0; i < s->nmems; i++) {
        rt_free(s->mems[i]->data);
        rt_free(s->mems[i]);
    }
    for (uint32_t i = 0; i < s->ntables; i++) {
        rt_free(s->tables[i]->elems);
        rt_free(s->tables[i]);
    }
    for (uint32_t i = 0; i < s->nglobals; i++)
        rt_free(s->globals[i]);
    for (uint32_t i = 0; i < s->ninsts; i++)
        free_instance(s->insts[i]);
    for (uint32_t i = 0; i < s->nsigs; i++) {
        rt_free((void *)s->sigs[i].params);
        rt_free((void *)s->sigs[i].results);
    }
    rt_free(s->funcs); rt_free(s->mems); rt_free(s->tables); rt_free(s->globals);
    rt_free(s->insts); rt_free(s->sigs);
    rt_free(s->stack); rt_free(s->frames);
    rt_free(s);
}

bool functype_eq(const wasm_functype *a, const wasm_functype *b)
{
    return a->nparams == b->nparams && a->nresults == b->nresults &&
           (!a->nparams || rt_memcmp(a->params, b->params, a->nparams) == 0) &&
           (!a->nresults || rt_memcmp(a->results, b->results, a->nresults) == 0);
}

static bool copy_functype(wasm_functype *dst, const wasm_functype *src)
{
    uint8_t *p = rt_malloc(src->nparams + 1), *r = rt_malloc(src->nresults + 1);
    if (!p || !r) {
        rt_free(p);
        rt_free(r);
        return false;
    }
    if (src->nparams)
        rt_memcpy(p, src->params, src->nparams);
    if (src->nresults)
        rt_memcpy(r, src->results, src->nresults);
    dst->nparams = src->nparams;
    dst->nresults = src->nresults;
    dst->params = p;
    dst->results = r;
    return true;
}

uint32_t store_intern_sig(wasm_store *s, const wasm_functype *t)
{
    for (uint32_t i = 0; i < s->nsigs; i++)
        if (functype_eq(&s->sigs[i], t))
            return i;
    if (!engine_grow((void **)&s->sigs, &s->csigs, s->nsigs + 1, sizeof(wasm_functype)) ||
        !copy_functype(&s->sigs[s->nsigs], t))
        return UINT32_MAX;
    return s->nsigs++;
}

uint32_t store_add_func(wasm_store *s, const wasm_functype *t, wasm_instance *inst,
                        const wasm_code *code, uint32_t index, wasm_host_fn fn, void *env)
{
    uint32_t sig = store_intern_sig(s, t);
    if (sig == UINT32_MAX ||
        !engine_grow((void **)&s->funcs, &s->cfuncs, s->nfuncs + 1, sizeof(store_func *)))
        return UINT32_MAX;
    store_func *f = rt_calloc(sizeof *f);
    if (!f || !copy_functype(&f->type, t)) {
        rt_free(f);
        return UINT32_MAX;
    }
    f->sig = sig;
    f->inst = inst;
    f->code = code;
    f->index = index;
    f->host = fn;
    f->env = env;
    s->funcs[s->nfuncs] = f;
    return s->nfuncs++;
}

static wasm_extern bad_extern(void)
{
    wasm_extern e = { 0xFF, 0 };
    return e;
}

wasm_extern wasm_store_host_func(wasm_store *s, const wasm_functype *type, wasm_host_fn fn, void *env)
{
    if (!s || !type || !fn)
        return bad_extern();
    uint32_t a = store_add_func(s, type, NULL, NULL, 0, fn, env);
    if (a == UINT32_MAX)
        return bad_extern();
    wasm_extern e = { WASM_EXTERN_FUNC, a };
    return e;
}

/* Create a memory of lim.min pages (quota checked); UINT32_MAX on failure, *quota set
 * when the store quota was the reason. */
static uint32_t add_memory(wasm_store *s, wasm_limits lim, bool *quota)
{
    *quota = false;
    uint64_t bytes = (uint64_t)lim.min * WASM_PAGE;
    if (lim.min > WASM_MAX_PAGES || s->mem_bytes + bytes > s->lim.max_memory_bytes) {
        *quota = true;
        return UINT32_MAX;
    }
    if (!engine_grow((void **)&s->mems, &s->cmems, s->nmems + 1, sizeof(store_mem *)))
        return UINT32_MAX;
    store_mem *m = rt_calloc(sizeof *m);
    if (!m)
        return UINT32_MAX;
    if (bytes) {
        m->data = rt_calloc((size_t)bytes);
        if (!m->data) {
            rt_free(m);
            return UINT32_MAX;
        }
    }
    m->size = bytes;
    m->lim = lim;
    s->mem_bytes += bytes;
    s->mems[s->nmems] = m;
    return s->nmems++;
}

uint32_t store_add_memory(wasm_store *s, wasm_limits lim, bool *quota)
{
    return add_memory(s, lim, quota);
}

wasm_extern wasm_store_memory(wasm_store *s, wasm_limits limits)
{
    bool quota;
    if (!s || (limits.has_max && limits.max < limits.min) || limits.min > WASM_MAX_PAGES)
        return bad_extern();
    uint32_t a = add_memory(s, limits, &quota);
    if (a == UINT32_MAX)
        return bad_extern();
    wasm_extern e = { WASM_EXTERN_MEMORY, a };
    return e;
}

uint32_t store_add_table(wasm_store *s, wasm_tabletype type, uint64_t init)
{
    if (!engine_grow((void **)&s->tables, &s->ctables, s->ntables + 1, sizeof(store_table *)))
        return UINT32_MAX;
    if (type.limits.min > 10000000u)
        return UINT32_MAX;
    store_table *t = rt_calloc(sizeof *t);
    if (!t)
        return UINT32_MAX;
    t->elems = rt_malloc(((size_t)type.limits.min + 1) * sizeof(uint64_t));
    if (!t->elems) {
        rt_free(t);
        return UINT32_MAX;
    }
    for (uint32_t i = 0; i < type.limits.min; i++)
        t->elems[i] = init;
    t->size = type.limits.min;
    t->type = type;
    s->tables[s->ntables] = t;
    return s->ntables++;
}

wasm_extern wasm_store_table(wasm_store *s, wasm_tabletype type, uint64_t init_ref)
{
    if (!s || (type.elem != WASM_FUNCREF && type.elem != WASM_EXTERNREF) ||
        (type.limits.has_max && type.limits.max < type.limits.min) ||
        !engine_ref_ok(s, type.elem, init_ref))
        return bad_extern();
    uint32_t a = store_add_table(s, type, init_ref);
    if (a == UINT32_MAX)
        return bad_extern();
    wasm_extern e = { WASM_EXTERN_TABLE, a };
    return e;
}

uint32_t store_add_global(wasm_store *s, wasm_globaltype type, uint64_t val)
{
    if (!engine_grow((void **)&s->globals, &s->cglobals, s->nglobals + 1, sizeof(store_global *)))
        return UINT32_MAX;
    store_global *g = rt_calloc(sizeof *g);
    if (!g)
        return UINT32_MAX;
    g->type = type;
    g->val = val;
    s->globals[s->nglobals] = g;
    return s->nglobals++;
}

bool engine_ref_ok(const wasm_store *s, uint8_t type, uint64_t v)
{
    return type != WASM_FUNCREF || v == WASM_REF_NULL || v < s->nfuncs;
}

static uint64_t val_bits(wasm_val v)
{
    if (v.type == WASM_I32 || v.type == WASM_F32)
        return v.of.i32;
    return v.of.i64;
}

static wasm_val bits_val(uint8_t type, uint64_t b)
{
    wasm_val v;
    v.type = type;
    v.of.i64 = 0;
    if (type == WASM_I32 || type == WASM_F32)
        v.of.i32 = (uint32_t)b;
    else
        v.of.i64 = b;
    return v;
}

uint64_t engine_val_bits(wasm_val v) { return val_bits(v); }
wasm_val engine_bits_val(uint8_t type, uint64_t b) { return bits_val(type, b); }

wasm_extern wasm_store_global(wasm_store *s, wasm_globaltype type, wasm_val value)
{
    if (!s || value.type != type.type || !engine_ref_ok(s, type.type, value.of.ref))
        return bad_extern();
    uint32_t a = store_add_global(s, type, val_bits(value));
    if (a == UINT32_MAX)
        return bad_extern();
    wasm_extern e = { WASM_EXTERN_GLOBAL, a };
    return e;
}

bool store_mem_grow(wasm_store *s, store_mem *mem, uint32_t delta, bool *quota_hit)
{
    *quota_hit = false;
    uint64_t pages = mem->size / WASM_PAGE;
    uint64_t max = mem->lim.has_max ? mem->lim.max : WASM_MAX_PAGES;
    if (pages + delta > max)
        return false;
    if (delta == 0)
        return true;
    uint64_t add = (uint64_t)delta * WASM_PAGE;
    if (s->mem_bytes + add > s->lim.max_memory_bytes) {
        *quota_hit = true;
        return false;
    }
    uint64_t nsize = mem->size + add;
    if (nsize > SIZE_MAX / 2)
        return false;
    uint8_t *p = rt_realloc(mem->data, (size_t)nsize);
    if (!p)
        return false;
    rt_memset(p + mem->size, 0, (size_t)add);
    mem->data = p;
    mem->size = nsize;
    s->mem_bytes += add;
    return true;
}

bool store_table_grow(store_table *t, uint32_t delta, uint64_t init)
{
    uint64_t max = t->type.limits.has_max ? t->type.limits.max : UINT32_MAX;
    uint64_t n = (uint64_t)t->size + delta;
    if (n > max || n > 10000000u)
        return false;
    if (delta == 0)
        return true;
    uint64_t *p = rt_realloc(t->elems, (size_t)(n + 1) * sizeof(uint64_t));
    if (!p)
        return false;
    for (uint64_t i = t->size; i < n; i++)
        p[i] = init;
    t->elems = p;
    t->size = (uint32_t)n;
    return true;
}

/* ---- accessors ---- */
bool wasm_func_type(const wasm_store *s, uint32_t a, wasm_functype *out)
{
    if (!s || a >= s->nfuncs)
        return false;
    *out = s->funcs[a]->type;
    return true;
}

wasm_val wasm_global_get(const wasm_store *s, uint32_t a)
{
    if (!s || a >= s->nglobals) {
        wasm_val v = { 0 };
        return v;
    }
    return bits_val(s->globals[a]->type.type, s->globals[a]->val);
}

bool wasm_global_set(wasm_store *s, uint32_t a, wasm_val v)
{
    if (!s || a >= s->nglobals || !s->globals[a]->type.mut || v.type != s->globals[a]->type.type ||
        !engine_ref_ok(s, v.type, v.of.ref))
        return false;
    s->globals[a]->val = val_bits(v);
    return true;
}

uint8_t *wasm_memory_data(wasm_store *s, uint32_t a, uint64_t *size)
{
    if (!s || a >= s->nmems) {
        if (size) *size = 0;
        return NULL;
    }
    if (size)
        *size = s->mems[a]->size;
    return s->mems[a]->data;
}

bool wasm_memory_type(const wasm_store *s, uint32_t a, wasm_limits *out)
{
    if (!s || a >= s->nmems)
        return false;
    *out = s->mems[a]->lim;
    out->min = (uint32_t)(s->mems[a]->size / WASM_PAGE);
    return true;
}

bool wasm_table_type(const wasm_store *s, uint32_t a, wasm_tabletype *out)
{
    if (!s || a >= s->ntables)
        return false;
    *out = s->tables[a]->type;
    out->limits.min = s->tables[a]->size;
    return true;
}

bool wasm_global_type(const wasm_store *s, uint32_t a, wasm_globaltype *out)
{
    if (!s || a >= s->nglobals)
        return false;
    *out = s->globals[a]->type;
    return true;
}

/* ---- host call context ---- */
wasm_instance *wasm_ctx_instance(wasm_call_ctx *ctx) { return ctx ? ctx->inst : NULL; }

uint8_t *wasm_ctx_memory(wasm_call_ctx *ctx, uint64_t *size_bytes)
{
    if (!ctx || !ctx->inst || !ctx->inst->mem) {
        if (size_bytes) *size_bytes = 0;
        return NULL;
    }
    if (size_bytes)
        *size_bytes = ctx->inst->mem->size;
    return ctx->inst->mem->data;
}

void wasm_host_set_trap(wasm_call_ctx *ctx, const char *msg)
{
    if (!ctx)
        return;
    size_t n = msg ? engine_strlen(msg) : 0;
    if (n >= sizeof ctx->msg)
        n = sizeof ctx->msg - 1;
    if (n)
        rt_memcpy(ctx->msg, msg, n);
    ctx->msg[n] = 0;
    ctx->has_msg = true;
}

void wasm_host_set_exit(wasm_call_ctx *ctx, uint32_t code)
{
    if (ctx)
        ctx->exit_code = code;
}

void wasm_free(void *p) { rt_free(p); }
