/* The `sip` import module (see sipabi.h and sips/sdk/sip.h). Each host function copies
 * guest arguments into kernel memory after a bounds check, calls the system call, and
 * turns its result into a return value, a yield (blocking) or a trap (fault). */
#include "node-kernel/core/sipabi.h"
#include "node-kernel/core/kstring.h"
#include "node-kernel/core/syscall.h"
#include "node-kernel/core/wasi.h"
#include "sips/engine/rt.h"
#include "sips/sdk/sip.h"

typedef struct { uint8_t *base; uint64_t size; } guest;

static guest guest_of(wasm_call_ctx *cc)
{
    guest g;
    g.base = wasm_ctx_memory(cc, &g.size);
    if (!g.base)
        g.size = 0;
    return g;
}

/* Host address of [ptr, ptr+len) or NULL. A zero-length range is always fine. */
static uint8_t *at(const guest *g, uint32_t ptr, uint64_t len)
{
    if (len == 0)
        return g->base ? g->base : (uint8_t *)"";
    if (!g->base || (uint64_t)ptr + len > g->size)
        return NULL;
    return g->base + ptr;
}

#define HOST(name) \
    static wasm_host_status name(wasm_call_ctx *cc, void *env, const wasm_val *args, wasm_val *res)
#define A(i) (args[i].of.i32)

static wasm_host_status fault_trap(wasm_call_ctx *cc, sip *s)
{
    wasm_host_set_trap(cc, s->fault);
    return WASM_HOST_TRAP;
}

static wasm_host_status bad_pointer(wasm_call_ctx *cc, sip *s, const char *fn)
{
    char why[96];
    rt_snprintf(why, sizeof why, "sip.%s: pointer outside the SIP's memory", fn);
    sip_fault(s, SIP_EFAULT, why);
    return fault_trap(cc, s);
}

/* The common ending: a fault traps, a wait yields, anything else is returned. */
static wasm_host_status finish(wasm_call_ctx *cc, sip *s, int32_t r, wasm_val *res)
{
    if (s->fault[0])
        return fault_trap(cc, s);
    if (r == SIP_EAGAIN && s->waiting)
        return WASM_HOST_YIELD;
    res[0].type = WASM_I32;
    res[0].of.i32 = (uint32_t)r;
    return WASM_HOST_OK;
}

static void load_handles(int32_t *dst, const uint8_t *src, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        dst[i] = (int32_t)((uint32_t)src[4 * i] | (uint32_t)src[4 * i + 1] << 8 |
                           (uint32_t)src[4 * i + 2] << 16 | (uint32_t)src[4 * i + 3] << 24);
}

static void store_u32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

HOST(h_bind)
{
    sip *s = env;
    guest g = guest_of(cc);
    const uint8_t *name = at(&g, A(0), A(1));
    if (!name)
        return bad_pointer(cc, s, "bind");
    return finish(cc, s, sys_bind(s, (const char *)name, A(1)), res);
}

HOST(h_chan_create)
{
    sip *s = env;
    guest g = guest_of(cc);
    const uint8_t *name = at(&g, A(0), A(1));
    uint8_t *pi = at(&g, A(2), 4), *pe = at(&g, A(3), 4);
    if (!name || !pi || !pe)
        return bad_pointer(cc, s, "chan_create");
    int32_t imp, exp;
    int32_t r = sys_chan_create(s, (const char *)name, A(1), &imp, &exp);
    if (r == 0) {
        store_u32(pi, (uint32_t)imp);
        store_u32(pe, (uint32_t)exp);
    }
    return finish(cc, s, r, res);
}

HOST(h_close)
{
    sip *s = env;
    return finish(cc, s, sys_close(s, (int32_t)A(0)), res);
}

static wasm_host_status do_send(wasm_call_ctx *cc, sip *s, const wasm_val *args, wasm_val *res,
                                bool blocking)
{
    guest g = guest_of(cc);
    uint32_t len = A(3), nh = A(5);
    if (len > SIP_MAX_PAYLOAD || nh > SIP_MAX_HANDLES)
        return finish(cc, s, SIP_EINVAL, res);
    const uint8_t *payload = at(&g, A(2), len);
    const uint8_t *hp = at(&g, A(4), (uint64_t)nh * 4);
    if (!payload || !hp)
        return bad_pointer(cc, s, "send");
    int32_t handles[SIP_MAX_HANDLES];
    load_handles(handles, hp, nh);
    return finish(cc, s, sys_send(s, (int32_t)A(0), A(1), payload, len, handles, nh, blocking), res);
}

HOST(h_send)     { return do_send(cc, env, args, res, true); }
HOST(h_try_send) { return do_send(cc, env, args, res, false); }

static wasm_host_status do_recv(wasm_call_ctx *cc, sip *s, const wasm_val *args, wasm_val *res,
                                bool blocking)
{
    guest g = guest_of(cc);
    uint32_t cap = A(3), hcap = A(5);
    if (hcap > SIP_MAX_HANDLES)
        hcap = SIP_MAX_HANDLES;
    uint8_t *tagp = at(&g, A(1), 4);
    uint8_t *payload = at(&g, A(2), cap);
    uint8_t *hp = at(&g, A(4), (uint64_t)hcap * 4);
    if (!tagp || !payload || !hp)
        return bad_pointer(cc, s, "recv");
    uint32_t tag, nh = 0;
    int32_t handles[SIP_MAX_HANDLES];
    int32_t r = sys_recv(s, (int32_t)A(0), &tag, payload, cap, handles, hcap, &nh, blocking);
    if (r >= 0) {
        store_u32(tagp, tag);
        for (uint32_t i = 0; i < nh; i++)
            store_u32(hp + 4 * i, (uint32_t)handles[i]);
    }
    return finish(cc, s, r, res);
}

HOST(h_recv)     { return do_recv(cc, env, args, res, true); }
HOST(h_try_recv) { return do_recv(cc, env, args, res, false); }

static wasm_host_status do_select(wasm_call_ctx *cc, sip *s, const wasm_val *args, wasm_val *res,
                                  bool blocking)
{
    guest g = guest_of(cc);
    uint32_t n = A(1);
    if (n == 0 || n > 64)
        return finish(cc, s, SIP_EINVAL, res);
    const uint8_t *p = at(&g, A(0), (uint64_t)n * 4);
    if (!p)
        return bad_pointer(cc, s, "select");
    int32_t eps[64];
    load_handles(eps, p, n);
    return finish(cc, s, sys_select(s, eps, n, blocking), res);
}

HOST(h_select)     { return do_select(cc, env, args, res, true); }
HOST(h_try_select) { return do_select(cc, env, args, res, false); }

HOST(h_block_alloc) { sip *s = env; return finish(cc, s, sys_block_alloc(s, A(0)), res); }
HOST(h_block_free)  { sip *s = env; return finish(cc, s, sys_block_free(s, (int32_t)A(0)), res); }
HOST(h_block_size)  { sip *s = env; return finish(cc, s, sys_block_size(s, (int32_t)A(0)), res); }

HOST(h_block_read)
{
    sip *s = env;
    guest g = guest_of(cc);
    uint8_t *dst = at(&g, A(2), A(3));
    if (!dst)
        return bad_pointer(cc, s, "block_read");
    return finish(cc, s, sys_block_read(s, (int32_t)A(0), A(1), dst, A(3)), res);
}

HOST(h_block_write)
{
    sip *s = env;
    guest g = guest_of(cc);
    const uint8_t *src = at(&g, A(2), A(3));
    if (!src)
        return bad_pointer(cc, s, "block_write");
    return finish(cc, s, sys_block_write(s, (int32_t)A(0), A(1), src, A(3)), res);
}

/* Yield, then return: the first call gives the CPU back, the retry completes. */
HOST(h_yield)
{
    sip *s = env;
    if (!s->yield_taken) {
        s->yield_taken = true;
        return WASM_HOST_YIELD;
    }
    s->yield_taken = false;
    return WASM_HOST_OK;
}

HOST(h_time_ns)
{
    res[0].type = WASM_I64;
    res[0].of.i64 = sys_time_ns(env);
    return WASM_HOST_OK;
}

/* ---- the table of imports --------------------------------------------------------------- */

#define I WASM_I32
typedef struct {
    const char *name;
    wasm_host_fn fn;
    uint8_t nparams, nresults;
    uint8_t params[6], results[1];
} sip_import;

static const sip_import IMPORTS[] = {
    { "bind",        h_bind,        2, 1, {I, I},             {I} },
    { "chan_create", h_chan_create, 4, 1, {I, I, I, I},       {I} },
    { "close",       h_close,       1, 1, {I},                {I} },
    { "send",        h_send,        6, 1, {I, I, I, I, I, I}, {I} },
    { "try_send",    h_try_send,    6, 1, {I, I, I, I, I, I}, {I} },
    { "recv",        h_recv,        6, 1, {I, I, I, I, I, I}, {I} },
    { "try_recv",    h_try_recv,    6, 1, {I, I, I, I, I, I}, {I} },
    { "select",      h_select,      2, 1, {I, I},             {I} },
    { "try_select",  h_try_select,  2, 1, {I, I},             {I} },
    { "block_alloc", h_block_alloc, 1, 1, {I},                {I} },
    { "block_free",  h_block_free,  1, 1, {I},                {I} },
    { "block_size",  h_block_size,  1, 1, {I},                {I} },
    { "block_read",  h_block_read,  4, 1, {I, I, I, I},       {I} },
    { "block_write", h_block_write, 4, 1, {I, I, I, I},       {I} },
    { "yield",       h_yield,       0, 0, {0},                {0} },
    { "time_ns",     h_time_ns,     0, 1, {0},                {WASM_I64} },
};
#undef I

static const sip_import *find_import(const char *name, uint32_t len)
{
    for (size_t i = 0; i < sizeof IMPORTS / sizeof IMPORTS[0]; i++)
        if (k_name_is(IMPORTS[i].name, name, len))
            return &IMPORTS[i];
    return NULL;
}

static bool same_sig(const sip_import *w, const wasm_functype *t)
{
    if (t->nparams != w->nparams || t->nresults != w->nresults)
        return false;
    for (uint32_t i = 0; i < t->nparams; i++)
        if (t->params[i] != w->params[i])
            return false;
    for (uint32_t i = 0; i < t->nresults; i++)
        if (t->results[i] != w->results[i])
            return false;
    return true;
}

/* The ABI entry for a "sip" import, or NULL with the reason in err. */
static const sip_import *resolve(const wasm_importdesc *d, char *err, size_t errlen)
{
    const sip_import *w = d->kind == WASM_EXTERN_FUNC ? find_import(d->name, d->name_len) : NULL;
    if (!w) {
        char name[48];
        uint32_t len = d->name_len < sizeof name - 1 ? d->name_len : sizeof name - 1;
        __builtin_memcpy(name, d->name, len);
        name[len] = 0;
        rt_snprintf(err, errlen, "import sip.%s is not a function of the sip ABI", name);
        return NULL;
    }
    if (!same_sig(w, &d->func)) {
        rt_snprintf(err, errlen, "import sip.%s has the wrong signature", w->name);
        return NULL;
    }
    return w;
}

static bool is_sip_module(const wasm_importdesc *d)
{
    return d->module_len == 3 && !__builtin_memcmp(d->module, "sip", 3);
}

bool sipabi_check_imports(const wasm_module *m, char *err, size_t errlen)
{
    uint32_t n = wasm_module_num_imports(m);
    for (uint32_t i = 0; i < n; i++) {
        wasm_importdesc d;
        wasm_module_import(m, i, &d);
        if (is_sip_module(&d) && !resolve(&d, err, errlen))
            return false;
    }
    return true;
}

int sipabi_bind(wasm_store *st, const wasm_module *m, sip *s, wasm_extern *imports,
                char *err, size_t errlen)
{
    uint32_t n = wasm_module_num_imports(m);
    for (uint32_t i = 0; i < n; i++) {
        if (imports[i].kind != WASI_UNBOUND_KIND)
            continue;
        wasm_importdesc d;
        wasm_module_import(m, i, &d);
        const sip_import *w = resolve(&d, err, errlen);
        if (!w)
            return -1;
        wasm_functype t = { w->nparams, w->nresults, w->params, w->results };
        imports[i] = wasm_store_host_func(st, &t, w->fn, s);
        if (imports[i].kind == 0xFF) {
            rt_snprintf(err, errlen, "out of memory binding sip.%s", w->name);
            return -1;
        }
    }
    return 0;
}
