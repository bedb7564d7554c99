/* Snapshot and restore of a single-instance store (see docs/engine.md for the format):
 * module hash, thread (frames as function index + code offset), the used part of the
 * value stack, memory with all-zero pages left out, globals, tables (funcrefs as function
 * indices of the instance), dropped segments, fuel used; a SHA-256 of everything before it
 * ends the buffer. Every field read is bounds- and range-checked: a damaged buffer gives
 * WASM_ERR_SNAPSHOT, never a crash. */
#include "sips/engine/internal.h"

#define SNAP_MAGIC   0x504E534Du      /* "MSNP" */
/* Code positions are word offsets into the compiled code, so the version changes whenever
 * the compiler lays code out differently (2: loop-branch, load and shift fusions). */
#define SNAP_VERSION 2u
#define NONE32       UINT32_MAX

/* ---- writer ---- */
typedef struct { uint8_t *p; size_t len, cap; bool oom; } wbuf;

static void put(wbuf *w, const void *src, size_t n)
{
    if (w->oom)
        return;
    if (w->len + n > w->cap) {
        size_t cap = w->cap ? w->cap : 4096;
        while (cap < w->len + n)
            cap *= 2;
        uint8_t *p = rt_realloc(w->p, cap);
        if (!p) {
            w->oom = true;
            return;
        }
        w->p = p;
        w->cap = cap;
    }
    rt_memcpy(w->p + w->len, src, n);
    w->len += n;
}

static void put32(wbuf *w, uint32_t v)
{
    uint8_t b[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };
    put(w, b, 4);
}

static void put64(wbuf *w, uint64_t v)
{
    put32(w, (uint32_t)v);
    put32(w, (uint32_t)(v >> 32));
}

/* ---- reader ---- */
typedef struct { const uint8_t *p, *end; bool bad; } rbuf;

static bool get(rbuf *r, void *dst, size_t n)
{
    if (r->bad || (size_t)(r->end - r->p) < n) {
        r->bad = true;
        return false;
    }
    rt_memcpy(dst, r->p, n);
    r->p += n;
    return true;
}

static uint32_t get32(rbuf *r)
{
    uint8_t b[4] = { 0 };
    get(r, b, 4);
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static uint64_t get64(rbuf *r)
{
    uint64_t lo = get32(r);
    return lo | (uint64_t)get32(r) << 32;
}

/* funcref <-> function index of the instance */
static uint64_t ref_out(const wasm_instance *inst, uint8_t type, uint64_t v)
{
    if (type != WASM_FUNCREF || v == WASM_REF_NULL)
        return v;
    for (uint32_t i = 0; i < inst->m->nfuncs_all; i++)
        if (inst->func_addrs[i] == v)
            return i;
    return WASM_REF_NULL;               /* a function of another instance: not representable */
}

static bool ref_in(const wasm_instance *inst, uint8_t type, uint64_t v, uint64_t *out)
{
    if (type != WASM_FUNCREF || v == WASM_REF_NULL) {
        *out = v;
        return true;
    }
    if (v >= inst->m->nfuncs_all)
        return false;
    *out = inst->func_addrs[v];
    return true;
}

static uint32_t code_off(const store_func *f, const uint32_t *pc)
{
    return pc ? (uint32_t)(pc - f->code->code) : NONE32;
}

/* Slots of the value stack in use. */
static uint32_t stack_top(const wasm_store *s)
{
    const wasm_thread *t = &s->th;
    uint32_t top = 0;
    if (t->invoked) {
        top = t->invoked->type.nparams;
        if (t->invoked->type.nresults > top)
            top = t->invoked->type.nresults;
    }
    if (t->state == THREAD_READY && t->pc) {
        uint64_t fp = (uint64_t)(t->fp - s->stack) + t->fn->code->frame_slots;
        if (fp > top)
            top = (uint32_t)fp;
    }
    if (t->state == THREAD_IDLE)
        top = 0;
    return top;
}

wasm_errcode wasm_snapshot_save(const wasm_store *s, uint8_t **buf, size_t *len, wasm_err *err)
{
    if (!s || !buf || !len)
        return engine_err(err, WASM_ERR_ARG, "bad arguments");
    *buf = NULL;
    *len = 0;
    if (s->ninsts != 1)
        return engine_err(err, WASM_ERR_ARG, "snapshot needs a store with exactly one instance");
    const wasm_instance *inst = s->insts[0];
    const wasm_module *m = inst->m;
    const wasm_decoded *d = &m->d;
    if (d->num_imported_tables || d->num_imported_memories || d->num_imported_globals)
        return engine_err(err, WASM_ERR_ARG, "snapshot needs an instance importing only functions");
    const wasm_thread *t = &s->th;

    wbuf w = { 0 };
    put32(&w, SNAP_MAGIC);
    put32(&w, SNAP_VERSION);
    put(&w, m->hash, 32);
    put64(&w, s->fuel_used);
    /* thread */
    put32(&w, (uint32_t)t->state);
    put32(&w, t->invoked ? (t->invoked->inst ? t->invoked->index : NONE32) : NONE32);
    if (t->invoked && !t->invoked->inst) {
        /* invoked a host function directly: find its import index */
        uint32_t k = NONE32;
        for (uint32_t i = 0; i < d->num_imported_funcs; i++)
            if (inst->funcs[i] == t->invoked)
                k = i;
        w.len -= 4;
        put32(&w, k);
    }
    bool running = t->state == THREAD_READY;
    put32(&w, running && t->fn ? t->fn->index : NONE32);
    put32(&w, running && t->fn ? code_off(t->fn, t->pc) : NONE32);
    put32(&w, running ? (uint32_t)(t->fp - s->stack) : 0);
    put32(&w, running ? t->depth : 0);
    for (uint32_t i = 0; running && i < t->depth; i++) {
        const wasm_frame *f = &s->frames[i];
        put32(&w, f->fn ? f->fn->index : NONE32);
        put32(&w, f->fn ? code_off(f->fn, f->pc) : NONE32);
        put32(&w, (uint32_t)(f->fp - s->stack));
    }
    put32(&w, (uint32_t)t->trap);
    put32(&w, t->exit_code);
    /* value stack */
    uint32_t top = stack_top(s);
    put32(&w, top);
    for (uint32_t i = 0; i < top; i++)
        put64(&w, s->stack[i]);
    /* memory */
    const store_mem *mem = inst->mem;
    put32(&w, mem ? 1 : 0);
    if (mem) {
        uint32_t pages = (uint32_t)(mem->size / WASM_PAGE);
        put32(&w, pages);
        for (uint32_t pg = 0; pg < pages; pg++) {
            const uint8_t *p = mem->data + (size_t)pg * WASM_PAGE;
            bool zero = true;
            for (uint32_t k = 0; k < WASM_PAGE && zero; k += 8) {
                uint64_t v;
                rt_memcpy(&v, p + k, 8);
                zero = v == 0;
            }
            if (zero)
                continue;
            put32(&w, pg);
            put(&w, p, WASM_PAGE);
        }
        put32(&w, NONE32);
    }
    /* globals */
    put32(&w, m->nglobals_all);
    for (uint32_t i = 0; i < m->nglobals_all; i++)
        put64(&w, ref_out(inst, m->global_types[i].type, *inst->globals[i]));
    /* tables */
    put32(&w, m->ntables_all);
    for (uint32_t i = 0; i < m->ntables_all; i++) {
        const store_table *tb = inst->tables[i];
        put32(&w, tb->size);
        for (uint32_t k = 0; k < tb->size; k++)
            put64(&w, ref_out(inst, tb->type.elem, tb->elems[k]));
    }
    /* dropped segments */
    put32(&w, d->nelems);
    for (uint32_t i = 0; i < d->nelems; i++)
        put32(&w, inst->elems[i].n);
    put32(&w, d->ndatas);
    for (uint32_t i = 0; i < d->ndatas; i++)
        put32(&w, inst->datas[i].len);
    /* checksum */
    if (!w.oom) {
        uint8_t h[32];
        wasm_sha256(w.p, w.len, h);
        put(&w, h, 32);
    }
    if (w.oom) {
        rt_free(w.p);
        return engine_err(err, WASM_ERR_NOMEM, "out of memory");
    }
    *buf = w.p;
    *len = w.len;
    return WASM_OK;
}

/* ---- restore ---- */
static wasm_errcode corrupt(wasm_err *err, const char *what)
{
    char msg[160];
    rt_snprintf(msg, sizeof msg, "snapshot corrupt: %s", what);
    return engine_err(err, WASM_ERR_SNAPSHOT, msg);
}

/* A paused thread stops at a FUEL instruction or a pending call. */
static bool pause_point(const wasm_code *c, uint32_t off, const int32_t *h)
{
    if (off >= c->code_len)
        return false;
    uint32_t w = c->code[off];
    return w == (uint32_t)h[OP_FUEL] || (w == (uint32_t)h[OP_CALL] && off + 3 <= c->code_len) ||
           (w == (uint32_t)h[OP_CALL_INDIRECT] && off + 5 <= c->code_len);
}

/* A return address follows a call instruction. */
static bool return_point(const wasm_code *c, uint32_t off, const int32_t *h)
{
    if (off > c->code_len)
        return false;
    return (off >= 3 && c->code[off - 3] == (uint32_t)h[OP_CALL]) ||
           (off >= 5 && c->code[off - 5] == (uint32_t)h[OP_CALL_INDIRECT]);
}

static store_func *wasm_func_at(const wasm_instance *inst, uint32_t idx)
{
    if (idx < inst->m->d.num_imported_funcs || idx >= inst->m->nfuncs_all)
        return NULL;
    return inst->funcs[idx];
}

wasm_errcode wasm_snapshot_restore(const wasm_module *m, const uint8_t *buf, size_t len,
                                   const wasm_extern *host_imports, uint32_t nimports,
                                   wasm_store *fresh, wasm_instance **out, wasm_err *err)
{
    if (out)
        *out = NULL;
    if (!m || !buf || !fresh)
        return engine_err(err, WASM_ERR_ARG, "bad arguments");
    if (fresh->ninsts != 0 || !wasm_thread_idle(fresh))
        return engine_err(err, WASM_ERR_ARG, "restore needs a fresh store");
    if (len < 4 + 4 + 32 + 32)
        return corrupt(err, "truncated");
    uint8_t h[32];
    wasm_sha256(buf, len - 32, h);
    if (rt_memcmp(h, buf + len - 32, 32) != 0)
        return corrupt(err, "checksum mismatch");
    rbuf r = { buf, buf + len - 32, false };
    if (get32(&r) != SNAP_MAGIC)
        return corrupt(err, "bad magic");
    if (get32(&r) != SNAP_VERSION)
        return engine_err(err, WASM_ERR_SNAPSHOT, "snapshot version not supported");
    uint8_t hash[32];
    get(&r, hash, 32);
    if (rt_memcmp(hash, m->hash, 32) != 0)
        return engine_err(err, WASM_ERR_SNAPSHOT, "snapshot is of a different module");
    const wasm_decoded *d = &m->d;
    if (d->num_imported_tables || d->num_imported_memories || d->num_imported_globals)
        return engine_err(err, WASM_ERR_ARG, "module imports more than functions");

    wasm_instance *inst;
    wasm_errcode rc = instance_link(fresh, m, host_imports, nimports, &inst, err);
    if (rc)
        return rc;
    const int32_t *hd = wasm_interp_handlers();
    wasm_store *s = fresh;
    wasm_thread *t = &s->th;

    uint64_t fuel_used = get64(&r);
    uint32_t state = get32(&r);
    uint32_t invoked = get32(&r);
    uint32_t fn_idx = get32(&r), pc_off = get32(&r), fp_off = get32(&r), depth = get32(&r);
    if (r.bad)
        goto trunc;
    if (state > THREAD_DONE)
        return corrupt(err, "thread state");
    if (invoked != NONE32 && invoked >= m->nfuncs_all)
        return corrupt(err, "invoked function");
    if (state != THREAD_IDLE && invoked == NONE32)
        return corrupt(err, "no invoked function");
    if (depth > s->max_depth)
        return corrupt(err, "call depth beyond this store's limit");
    for (uint32_t i = 0; i < depth; i++) {
        uint32_t fi = get32(&r), po = get32(&r), fo = get32(&r);
        if (r.bad)
            goto trunc;
        wasm_frame *f = &s->frames[i];
        if (fo >= s->stack_slots)
            return corrupt(err, "frame pointer");
        f->fp = s->stack + fo;
        if (fi == NONE32) {
            if (i != 0)
                return corrupt(err, "host frame inside the stack");
            f->fn = NULL;
            f->pc = NULL;
            continue;
        }
        store_func *fn = wasm_func_at(inst, fi);
        if (!fn || !return_point(fn->code, po, hd))
            return corrupt(err, "frame return address");
        f->fn = fn;
        f->pc = fn->code->code + po;
    }
    t->trap = (wasm_trap)get32(&r);
    t->exit_code = get32(&r);
    if (t->trap > WASM_TRAP_EXIT)
        return corrupt(err, "trap code");
    uint32_t top = get32(&r);
    if (r.bad)
        goto trunc;
    if (top > s->stack_slots)
        return engine_err(err, WASM_ERR_LIMIT, "snapshot stack larger than this store's stack");
    for (uint32_t i = 0; i < top; i++)
        s->stack[i] = get64(&r);
    if (r.bad)
        goto trunc;
    /* thread registers */
    t->invoked = NULL;
    t->fn = NULL;
    t->pc = NULL;
    t->fp = s->stack;
    t->depth = 0;
    if (invoked != NONE32)
        t->invoked = inst->funcs[invoked];
    if (state == THREAD_READY) {
        store_func *fn = wasm_func_at(inst, fn_idx);
        if (!fn || fp_off >= s->stack_slots ||
            (uint64_t)fp_off + fn->code->frame_slots > s->stack_slots)
            return corrupt(err, "running function");
        if (pc_off == NONE32) {
            if (depth != 0 || fn != t->invoked)
                return corrupt(err, "thread entry");
        } else {
            if (!pause_point(fn->code, pc_off, hd) || depth == 0 || s->frames[0].fn != NULL)
                return corrupt(err, "thread position");
            t->pc = fn->code->code + pc_off;
        }
        t->fn = fn;
        t->fp = s->stack + fp_off;
        t->depth = depth;
    } else if (state == THREAD_HOSTCALL) {
        if (!t->invoked || t->invoked->code)
            return corrupt(err, "host call");
        t->fn = t->invoked;
    }
    /* memory */
    uint32_t has_mem = get32(&r);
    if (r.bad)
        goto trunc;
    if ((has_mem != 0) != (inst->mem != NULL))
        return corrupt(err, "memory presence");
    if (has_mem) {
        store_mem *mem = inst->mem;
        uint32_t pages = get32(&r);
        if (r.bad)
            goto trunc;
        uint64_t cur = mem->size / WASM_PAGE;
        if (pages < cur || pages > (mem->lim.has_max ? mem->lim.max : WASM_MAX_PAGES))
            return corrupt(err, "memory size");
        bool quota;
        if (!store_mem_grow(s, mem, (uint32_t)(pages - cur), &quota))
            return engine_err(err, quota ? WASM_ERR_LIMIT : WASM_ERR_NOMEM,
                              quota ? "memory limit exceeded" : "out of memory");
        rt_memset(mem->data, 0, (size_t)mem->size);
        uint32_t prev = 0;
        bool first = true;
        for (;;) {
            uint32_t pg = get32(&r);
            if (r.bad)
                goto trunc;
            if (pg == NONE32)
                break;
            if (pg >= pages || (!first && pg <= prev))
                return corrupt(err, "memory page index");
            if (!get(&r, mem->data + (size_t)pg * WASM_PAGE, WASM_PAGE))
                goto trunc;
            prev = pg;
            first = false;
        }
    }
    /* globals */
    if (get32(&r) != m->nglobals_all)
        return corrupt(err, "global count");
    for (uint32_t i = 0; i < m->nglobals_all; i++) {
        uint64_t v = get64(&r);
        if (r.bad)
            goto trunc;
        if (!ref_in(inst, m->global_types[i].type, v, inst->globals[i]))
            return corrupt(err, "global reference");
    }
    /* tables */
    if (get32(&r) != m->ntables_all)
        return corrupt(err, "table count");
    for (uint32_t i = 0; i < m->ntables_all; i++) {
        store_table *tb = inst->tables[i];
        uint32_t size = get32(&r);
        if (r.bad)
            goto trunc;
        if (size < tb->size || (uint64_t)size * 8 > (uint64_t)(r.end - r.p))
            return corrupt(err, "table size");
        if (!store_table_grow(tb, size - tb->size, WASM_REF_NULL))
            return engine_err(err, WASM_ERR_LIMIT, "table too large");
        for (uint32_t k = 0; k < size; k++)
            if (!ref_in(inst, tb->type.elem, get64(&r), &tb->elems[k]))
                return corrupt(err, "table reference");
    }
    /* segments */
    if (get32(&r) != d->nelems)
        return corrupt(err, "element segment count");
    for (uint32_t i = 0; i < d->nelems; i++) {
        uint32_t n = get32(&r);
        if (n != 0 && n != d->elems[i].nitems)
            return corrupt(err, "element segment");
        inst->elems[i].n = n;
    }
    if (get32(&r) != d->ndatas)
        return corrupt(err, "data segment count");
    for (uint32_t i = 0; i < d->ndatas; i++) {
        uint32_t n = get32(&r);
        if (n != 0 && n != d->datas[i].len)
            return corrupt(err, "data segment");
        inst->datas[i].len = n;
    }
    if (r.bad)
        goto trunc;
    if (r.p != r.end)
        return corrupt(err, "trailing bytes");
    s->fuel_used = fuel_used;
    t->state = (int)state;
    if (out)
        *out = inst;
    return WASM_OK;
trunc:
    return corrupt(err, "truncated");
}
