/* Live SIP migration, kernel side (see migrate.h; the image format is in docs/migration.md):
 * pause and resume, the image writer, the checked image reader that rebuilds a SIP, and
 * the source's release once the target has it. */
#include "node-kernel/core/migrate.h"
#include "node-kernel/core/migrate_codec.h"
#include "node-kernel/core/kstring.h"
#include "node-kernel/core/platform.h"
#include "node-kernel/core/wasm_sip.h"
#include "sips/engine/rt.h"

#define MAX_DEPTH      16              /* endpoints inside messages inside endpoints... */
#define MAX_PAYLOAD    (64u << 10)
#define MAX_STRINGS    4096u
#define MAX_STRING     (64u << 10)
#define NO_SLOT        UINT32_MAX
#define HEADER_BYTES   32              /* magic, version, engine_off, engine_len, next, pad */

enum { PEER_NONE = 0, PEER_INTERNAL = 1, PEER_EXTERNAL = 2 };

/* ---- pause / resume ------------------------------------------------------------------------ */

static void runq_unlink(sip *s)
{
    kernel *k = s->k;
    sip **pp = &k->runq_head, *prev = NULL;
    while (*pp && *pp != s) {
        prev = *pp;
        pp = &(*pp)->rq_next;
    }
    if (*pp) {
        *pp = s->rq_next;
        if (k->runq_tail == s)
            k->runq_tail = prev;
    }
    s->on_runq = false;
    s->rq_next = NULL;
}

int migrate_pause(sip *s)
{
    if (!s || (s->state != SIP_RUNNABLE && s->state != SIP_BLOCKED) || !wasm_sip_store(s))
        return SIP_EINVAL;
    if (s->on_runq)
        runq_unlink(s);
    if (s->wake_ns) {               /* a sleeper: its deadline stays in its WASI state */
        s->wake_ns = 0;
        s->k->nsleepers--;
    }
    s->state = SIP_PAUSED;
    return 0;
}

void migrate_resume(sip *s)
{
    if (s && s->state == SIP_PAUSED)
        sched_make_runnable(s);     /* a pending blocking call is retried, and re-blocks */
}

/* ---- the set of endpoints an image holds ------------------------------------------------- */

typedef struct ep_list {
    endpoint **v;
    uint32_t n, cap;
    bool oom;
} ep_list;

static void eplist_add(ep_list *l, endpoint *ep)
{
    if (l->n == l->cap) {
        uint32_t cap = l->cap ? l->cap * 2 : 16;
        endpoint **v = plat_realloc(l->v, cap * sizeof *v);
        if (!v) {
            l->oom = true;
            return;
        }
        l->v = v;
        l->cap = cap;
    }
    l->v[l->n++] = ep;
}

static int64_t eplist_find(const ep_list *l, const endpoint *ep)
{
    for (uint32_t i = 0; i < l->n; i++)
        if (l->v[i] == ep)
            return i;
    return -1;
}

/* Every endpoint in the order the writer visits them: table slots in order, each endpoint
 * followed (depth first) by the endpoints carried in its queued messages. */
static bool collect(ep_list *all, endpoint *ep, int depth)
{
    if (depth > MAX_DEPTH)
        return false;
    eplist_add(all, ep);
    for (message *m = ep->qhead; m; m = m->next)
        for (uint32_t i = 0; i < m->nhandles; i++)
            if (m->h[i].kind == HK_ENDPOINT && !collect(all, m->h[i].obj, depth + 1))
                return false;
    return true;
}

/* ---- writer -------------------------------------------------------------------------------- */

typedef struct save_ctx {
    mig_writer w;
    ep_list all, ext;
    uint32_t *ext_queued;
} save_ctx;

static void put_block(mig_writer *w, const xblock *b)
{
    migw_blob(w, b->data, b->size);
}

static void put_endpoint(save_ctx *c, endpoint *ep)
{
    mig_writer *w = &c->w;
    migw_str(w, ep->c ? ep->c->name : "");
    migw_u64(w, ep->c ? ep->c->fingerprint : 0);
    migw_u32(w, ep->state);
    migw_u8(w, ep->side);
    migw_u8(w, ep->peer_closed);
    int64_t in = ep->peer ? eplist_find(&c->all, ep->peer) : -1;
    if (!ep->peer) {
        migw_u8(w, PEER_NONE);
        migw_u32(w, 0);
    } else if (in >= 0) {
        migw_u8(w, PEER_INTERNAL);
        migw_u32(w, (uint32_t)in);
    } else {
        migw_u8(w, PEER_EXTERNAL);
        migw_u32(w, c->ext.n);
    }
    /* ext[] lists every end that is not wholly inside the image, closed peers included:
     * messages may still reach it until its peer is re-routed. */
    if (in < 0) {
        uint32_t *q = plat_realloc(c->ext_queued, (c->ext.n + 1) * sizeof *q);
        if (!q) {
            w->oom = true;
            return;
        }
        c->ext_queued = q;
        q[c->ext.n] = ep->qlen;
        eplist_add(&c->ext, ep);
    }
    migw_u32(w, ep->qlen);
    for (message *m = ep->qhead; m; m = m->next) {
        migw_u32(w, m->tag);
        migw_blob(w, m->payload, m->payload_len);
        migw_u32(w, m->nhandles);
        for (uint32_t i = 0; i < m->nhandles; i++) {
            migw_u8(w, m->h[i].kind);
            if (m->h[i].kind == HK_BLOCK)
                put_block(w, m->h[i].obj);
            else if (m->h[i].kind == HK_ENDPOINT)
                put_endpoint(c, m->h[i].obj);
        }
    }
}

static void put_strings(mig_writer *w, uint32_t n, char **v)
{
    migw_u32(w, n);
    for (uint32_t i = 0; i < n; i++)
        migw_str(w, v[i]);
}

/* ---- linear memory ------------------------------------------------------------------------ */

#define MEM_FROM_ZERO  1                /* pages relative to zeroed memory */
#define MEM_FROM_BASE  2                /* pages relative to the pre-copied base */
#define PRECOPY_MAGIC  0x4552504Du      /* "MPRE" */
#define MAX_MEMORY     (1ull << 32)     /* wasm32 */

static bool page_is_zero(const uint8_t *p)
{
    uint64_t acc = 0;
    for (uint32_t i = 0; i < MIGRATE_PAGE; i += 8) {
        uint64_t v;
        __builtin_memcpy(&v, p + i, 8);
        acc |= v;
    }
    return acc == 0;
}

/* u32 count, then (u32 page index, page bytes) for every page of mem that differs from ref
 * (ref == NULL: from zero). With a ref, it is updated to match mem. */
static void put_pages(mig_writer *w, const uint8_t *mem, uint64_t size, uint8_t *ref)
{
    size_t count_at = migw_reserve(w, 4);
    uint32_t n = 0;
    for (uint64_t off = 0; off + MIGRATE_PAGE <= size; off += MIGRATE_PAGE) {
        bool dirty = ref ? __builtin_memcmp(mem + off, ref + off, MIGRATE_PAGE) != 0
                         : !page_is_zero(mem + off);
        if (!dirty)
            continue;
        migw_u32(w, (uint32_t)(off / MIGRATE_PAGE));
        migw_bytes(w, mem + off, MIGRATE_PAGE);
        if (ref)
            __builtin_memcpy(ref + off, mem + off, MIGRATE_PAGE);
        n++;
    }
    migw_patch32(w, count_at, n);
}

/* Read pages into mem (size bytes); false with r->bad on a bad index or short buffer. */
static bool get_pages(mig_reader *r, uint8_t *mem, uint64_t size)
{
    uint32_t n = migr_u32(r);
    if (r->bad || n > migr_left(r) / (4 + MIGRATE_PAGE)) {
        migr_fail(r, "page count out of range");
        return false;
    }
    for (uint32_t i = 0; i < n; i++) {
        uint64_t off = (uint64_t)migr_u32(r) * MIGRATE_PAGE;
        if (r->bad || off + MIGRATE_PAGE > size) {
            migr_fail(r, "memory page out of range");
            return false;
        }
        migr_bytes(r, mem + off, MIGRATE_PAGE);
    }
    return !r->bad;
}

/* Grow the shadow to the memory's size (new memory is zero, like the target's). */
static bool shadow_fit(migrate_precopy *pc, uint64_t size)
{
    if (size <= pc->size)
        return true;
    uint8_t *p = plat_realloc(pc->shadow, size);
    if (!p)
        return false;
    __builtin_memset(p + pc->size, 0, size - pc->size);
    pc->shadow = p;
    pc->size = size;
    return true;
}

int migrate_precopy_round(sip *s, migrate_precopy *pc, uint8_t **buf, size_t *len,
                          uint32_t *dirty, char *err, size_t errlen)
{
    uint64_t size;
    uint8_t *mem = wasm_sip_memory(s, &size);
    *buf = NULL;
    *len = 0;
    *dirty = 0;
    if (!shadow_fit(pc, size)) {
        rt_snprintf(err, errlen, "out of memory for the pre-copy shadow");
        return SIP_ENOMEM;
    }
    mig_writer w = { 0 };
    migw_u32(&w, PRECOPY_MAGIC);
    migw_u64(&w, size);
    size_t count_at = w.len;
    if (mem)
        put_pages(&w, mem, size, pc->shadow);
    else
        migw_u32(&w, 0);
    migw_u64(&w, 0);
    if (w.oom) {
        plat_free(w.p);
        rt_snprintf(err, errlen, "out of memory for a pre-copy round");
        pc->size = 0;                     /* the shadow no longer says what was sent */
        return SIP_ENOMEM;
    }
    migw_patch64(&w, w.len - 8, mig_checksum(w.p, w.len - 8));
    *dirty = (uint32_t)w.p[count_at] | (uint32_t)w.p[count_at + 1] << 8 |
             (uint32_t)w.p[count_at + 2] << 16 | (uint32_t)w.p[count_at + 3] << 24;
    *buf = w.p;
    *len = w.len;
    pc->rounds++;
    return 0;
}

void migrate_precopy_free(migrate_precopy *pc)
{
    plat_free(pc->shadow);
    __builtin_memset(pc, 0, sizeof *pc);
}

int migrate_base_apply(migrate_base *b, const uint8_t *buf, size_t len, char *err, size_t errlen)
{
    mig_reader r = { buf, buf + len, false, "" };
    if (len < 24 || migr_u32(&r) != PRECOPY_MAGIC) {
        rt_snprintf(err, errlen, "pre-copy round: not a pre-copy buffer");
        return SIP_EINVAL;
    }
    uint64_t sum = 0;
    for (int i = 7; i >= 0; i--)
        sum = sum << 8 | buf[len - 8 + (size_t)i];
    if (sum != mig_checksum(buf, len - 8)) {
        rt_snprintf(err, errlen, "pre-copy round: checksum mismatch");
        return SIP_EINVAL;
    }
    r.end = buf + len - 8;
    uint64_t size = migr_u64(&r);
    if (size > MAX_MEMORY || size < b->size || size % MIGRATE_PAGE) {
        rt_snprintf(err, errlen, "pre-copy round: memory size out of range");
        return SIP_EINVAL;
    }
    if (size > b->size) {
        uint8_t *p = plat_realloc(b->mem, size);
        if (!p) {
            rt_snprintf(err, errlen, "pre-copy round: out of memory");
            return SIP_ENOMEM;
        }
        __builtin_memset(p + b->size, 0, size - b->size);
        b->mem = p;
        b->size = size;
    }
    /* a damaged round leaves some pages applied: the base is then unusable, and the final
     * image's checks (or the SIP's own result) cannot vouch for it -- say so */
    if (!get_pages(&r, b->mem, b->size) || r.p != r.end) {
        rt_snprintf(err, errlen, "pre-copy round: %s", r.bad ? r.why : "trailing bytes");
        return SIP_EINVAL;
    }
    return 0;
}

void migrate_base_free(migrate_base *b)
{
    plat_free(b->mem);
    b->mem = NULL;
    b->size = 0;
}

static int save_image(sip *s, migrate_precopy *pc, migrate_image *img, char *err, size_t errlen);

int migrate_save(sip *s, migrate_image *img, char *err, size_t errlen)
{
    return save_image(s, NULL, img, err, errlen);
}

int migrate_save_precopied(sip *s, migrate_precopy *pc, migrate_image *img, char *err,
                           size_t errlen)
{
    return save_image(s, pc, img, err, errlen);
}

static int save_image(sip *s, migrate_precopy *pc, migrate_image *img, char *err, size_t errlen)
{
    __builtin_memset(img, 0, sizeof *img);
    wasm_store *st = wasm_sip_store(s);
    if (s->state != SIP_PAUSED || !st) {
        rt_snprintf(err, errlen, "%s: only a paused WebAssembly SIP can be saved", s->name);
        return SIP_EINVAL;
    }
    save_ctx c;
    __builtin_memset(&c, 0, sizeof c);
    int rc = SIP_ENOMEM;
    for (uint32_t i = 0; i < s->ht.cap; i++)
        if (s->ht.e[i].kind == HK_ENDPOINT && !collect(&c.all, s->ht.e[i].obj, 0)) {
            rt_snprintf(err, errlen, "%s: endpoints nested deeper than %d", s->name, MAX_DEPTH);
            rc = SIP_EINVAL;
            goto fail;
        }
    uint8_t *snap = NULL;
    size_t snap_len = 0;
    wasm_err e;
    mig_writer *w = &c.w;
    uint64_t now = plat_time_ns(1);
    /* header: patched at the end */
    migw_reserve(w, HEADER_BYTES);
    migw_str(w, s->name);
    migw_bytes(w, wasm_module_hash(wasm_sip_module(s)), MIGRATE_HASH_LEN);
    migw_u64(w, s->quota.memory_bytes);
    migw_u64(w, s->quota.fuel_slice);
    migw_u64(w, s->quota.heap_bytes);
    migw_u32(w, s->quota.handles);
    migw_u64(w, s->fuel_used);
    migw_u64(w, s->slices);
    migw_u8(w, s->yield_taken);
    /* WASI */
    wasi_ctx *wc = wasm_sip_wasi(s);
    put_strings(w, wc->argc, wc->argv);
    put_strings(w, wc->envc, wc->envp);
    migw_u64(w, wc->log_bytes);
    migw_u8(w, wc->exited);
    migw_u32(w, wc->exit_code);
    migw_u8(w, wc->closed_fds);
    migw_u8(w, wc->yield_taken);
    migw_u8(w, wc->sleeping);
    migw_u64(w, wc->sleeping && wc->wake_ns > now ? wc->wake_ns - now : 0);
    migw_u64(w, now - wc->start_ns);
    /* name bindings */
    migw_u32(w, s->nbinds);
    for (uint32_t i = 0; i < s->nbinds; i++) {
        migw_str(w, s->binds[i].name);
        migw_u32(w, (uint32_t)s->binds[i].handle);
    }
    /* handle table, slot by slot, with the free list: handle numbers stay the same */
    migw_u32(w, s->ht.cap);
    migw_u32(w, s->ht.free_head);
    for (uint32_t i = 0; i < s->ht.cap; i++) {
        const hentry *he = &s->ht.e[i];
        migw_u16(w, he->gen);
        migw_u8(w, he->kind);
        if (he->kind == HK_FREE)
            migw_u32(w, he->next_free);
        else if (he->kind == HK_BLOCK)
            put_block(w, he->obj);
        else
            put_endpoint(&c, he->obj);
    }
    /* linear memory travels here, page by page; the engine snapshot is taken of the same
     * store with its memory zeroed (the engine leaves zero pages out), then the memory is
     * put back from what was written */
    uint64_t mem_size;
    uint8_t *mem = wasm_sip_memory(s, &mem_size);
    if (pc && !shadow_fit(pc, mem_size)) {
        rt_snprintf(err, errlen, "%s: out of memory for the pre-copy shadow", s->name);
        goto fail;
    }
    migw_u8(w, pc ? MEM_FROM_BASE : MEM_FROM_ZERO);
    migw_u64(w, mem_size);
    size_t pages_at = w->len;
    put_pages(w, mem, mem ? mem_size : 0, pc ? pc->shadow : NULL);
    if (w->oom) {
        rt_snprintf(err, errlen, "%s: out of memory writing the image", s->name);
        goto fail;
    }
    if (mem)
        __builtin_memset(mem, 0, mem_size);
    wasm_errcode ec = wasm_snapshot_save(st, &snap, &snap_len, &e);
    if (mem && pc) {
        __builtin_memcpy(mem, pc->shadow, mem_size);
    } else if (mem) {
        mig_reader pr = { w->p + pages_at, w->p + w->len, false, "" };
        get_pages(&pr, mem, mem_size);
    }
    if (ec != WASM_OK) {
        rt_snprintf(err, errlen, "%s: engine snapshot failed: %s", s->name, e.msg);
        rc = SIP_EINVAL;
        goto fail;
    }
    size_t engine_off = w->len;
    migw_bytes(w, snap, snap_len);
    uint64_t engine_len = snap_len;
    wasm_free(snap);
    migw_u64(w, 0);                                   /* checksum */
    if (w->oom || c.all.oom || c.ext.oom) {
        rt_snprintf(err, errlen, "%s: out of memory writing the image", s->name);
        goto fail;
    }
    migw_patch32(w, 0, MIGRATE_MAGIC);
    migw_patch32(w, 4, MIGRATE_VERSION);
    migw_patch64(w, 8, engine_off);
    migw_patch64(w, 16, engine_len);
    migw_patch32(w, 24, c.ext.n);
    migw_patch64(w, w->len - 8, mig_checksum(w->p, engine_off));
    img->buf = w->p;
    img->len = w->len;
    img->next = c.ext.n;
    img->ext = c.ext.v;
    img->ext_queued = c.ext_queued;
    img->engine_bytes = engine_len;
    plat_free(c.all.v);
    return 0;
fail:
    plat_free(c.w.p);
    plat_free(c.all.v);
    plat_free(c.ext.v);
    plat_free(c.ext_queued);
    return rc;
}

void migrate_image_free(migrate_image *img)
{
    plat_free(img->buf);
    plat_free(img->ext);
    plat_free(img->ext_queued);
    __builtin_memset(img, 0, sizeof *img);
}

/* ---- release (source, after the target confirmed) ---------------------------------------- */

void migrate_release(sip *s, const migrate_image *img, const migrate_handoff *h)
{
    uint32_t next = img ? img->next : 0;      /* img == NULL: the ends were taken already */
    /* 1. messages that reached an external end after the image was taken go on */
    for (uint32_t i = 0; i < next; i++) {
        endpoint *ep = img->ext[i];
        message *keep = NULL, **tail = &keep;
        uint32_t n = 0;
        message *m;
        while ((m = chan_dequeue(ep))) {
            if (n++ < img->ext_queued[i]) {     /* in the image: stays to be freed with it */
                *tail = m;
                tail = &m->next;
            } else if (h && h->late) {
                h->late(h->arg, i, ep, m);
            } else {
                msg_free(s->k, m);
            }
        }
        /* put the imaged ones back so that they are freed with the SIP */
        for (m = keep; m; ) {
            message *next = m->next;
            m->next = NULL;
            if (ep->qtail)
                ep->qtail->next = m;
            else
                ep->qhead = m;
            ep->qtail = m;
            ep->qlen++;
            m = next;
        }
    }
    /* 2. every external end's peer now talks to the target */
    for (uint32_t i = 0; i < next; i++) {
        endpoint *ep = img->ext[i];
        if (h && h->reroute)
            h->reroute(h->arg, i, ep);
        if (ep->peer) {                  /* not re-routed: the peer must not keep a pointer */
            ep->peer->peer = NULL;
            chan_peer_closed(ep->peer);
            ep->peer = NULL;
        }
    }
    /* 3. free everything here; nobody outside is told */
    sip_terminate(s, SIP_END_MIGRATED);
}

/* ---- reader ------------------------------------------------------------------------------- */

typedef struct load_ctx {
    mig_reader r;
    kernel *k;
    ep_list all;                  /* restored endpoints by image index */
    uint8_t *peer_kind;           /* per index */
    uint32_t *peer_ref;
    uint32_t next;
    endpoint **ext;
} load_ctx;

static xblock *get_block(load_ctx *c)
{
    uint32_t n;
    const uint8_t *p = migr_blob(&c->r, c->k->heap.max_block ? c->k->heap.max_block
                                                          : EXHEAP_DEFAULT_MAX_BLOCK, &n);
    if (!p)
        return NULL;
    xblock *b = exheap_alloc(&c->k->heap, n);
    if (!b) {
        migr_fail(&c->r, "out of exchange heap");
        return NULL;
    }
    if (n)
        __builtin_memcpy(b->data, p, n);
    return b;
}

static bool note_peer(load_ctx *c, endpoint *ep, uint8_t kind, uint32_t ref)
{
    uint32_t idx = c->all.n;
    eplist_add(&c->all, ep);
    uint8_t *pk = plat_realloc(c->peer_kind, c->all.n);
    uint32_t *pr = pk ? plat_realloc(c->peer_ref, c->all.n * sizeof *pr) : NULL;
    if (pk)
        c->peer_kind = pk;
    if (pr)
        c->peer_ref = pr;
    if (c->all.oom || !pk || !pr) {
        migr_fail(&c->r, "out of memory");
        return false;
    }
    pk[idx] = kind;
    pr[idx] = ref;
    return true;
}

/* One endpoint record, its queue included. Returns the endpoint (owner OWNER_NONE) or NULL
 * with c->r.bad set; nothing is left allocated on failure. */
static endpoint *get_endpoint(load_ctx *c, int depth)
{
    mig_reader *r = &c->r;
    if (depth > MAX_DEPTH) {
        migr_fail(r, "endpoints nested too deeply");
        return NULL;
    }
    char cname[64];
    if (!migr_str(r, cname, sizeof cname))
        return NULL;
    uint64_t fp = migr_u64(r);
    uint32_t state = migr_u32(r);
    uint8_t side = migr_u8(r), closed = migr_u8(r), pkind = migr_u8(r);
    uint32_t pref = migr_u32(r);
    uint32_t nmsg = migr_u32(r);
    if (r->bad)
        return NULL;
    const contract *ct = NULL;
    if (cname[0]) {
        ct = kernel_find_contract(c->k, cname, k_strlen(cname));
        if (!ct) {
            migr_fail(r, "endpoint of a contract this node does not know");
            return NULL;
        }
        if (ct->fingerprint != fp) {
            migr_fail(r, "endpoint contract fingerprint differs from this node's");
            return NULL;
        }
        if (state >= ct->nstates) {
            migr_fail(r, "endpoint contract state out of range");
            return NULL;
        }
    } else if (state) {
        migr_fail(r, "unchecked endpoint with a contract state");
        return NULL;
    }
    if (side > 1 || closed > 1 || pkind > PEER_EXTERNAL || (pkind == PEER_NONE && pref)) {
        migr_fail(r, "endpoint record out of range");
        return NULL;
    }
    if (nmsg > c->k->max_queue || nmsg > migr_left(r) / 9) {
        migr_fail(r, "endpoint queue length out of range");
        return NULL;
    }
    endpoint *ep = chan_endpoint_new(c->k, ct, side);
    if (!ep) {
        migr_fail(r, "out of memory");
        return NULL;
    }
    ep->state = state;
    ep->peer_closed = closed;
    if (!note_peer(c, ep, pkind, pref)) {
        chan_close(ep);
        return NULL;
    }
    for (uint32_t i = 0; i < nmsg; i++) {
        uint32_t tag = migr_u32(r), plen;
        const uint8_t *payload = migr_blob(r, MAX_PAYLOAD, &plen);
        uint32_t nh = migr_u32(r);
        if (r->bad || nh > SIP_MAX_HANDLES) {
            migr_fail(r, "message handle count out of range");
            goto fail;
        }
        if (ct && tag >= ct->nmessages) {
            migr_fail(r, "queued message tag out of range");
            goto fail;
        }
        message *m = msg_new(tag, payload, plen);
        if (!m) {
            migr_fail(r, "out of memory");
            goto fail;
        }
        for (uint32_t j = 0; j < nh; j++) {
            uint8_t kind = migr_u8(r);
            void *obj = NULL;
            if (kind == HK_BLOCK)
                obj = get_block(c);
            else if (kind == HK_ENDPOINT)
                obj = get_endpoint(c, depth + 1);
            else
                migr_fail(r, "message handle of unknown kind");
            if (!obj) {
                msg_free(c->k, m);
                goto fail;
            }
            msg_add_handle(m, kind, obj, obj_owner(kind, obj));
        }
        m->next = NULL;                      /* queue it without waking anyone */
        if (ep->qtail)
            ep->qtail->next = m;
        else
            ep->qhead = m;
        ep->qtail = m;
        ep->qlen++;
    }
    return ep;
fail:
    chan_close(ep);                           /* frees its queue; peers are not linked yet */
    return NULL;
}

static bool get_strings(mig_reader *r, uint32_t *n_out, char ***v_out)
{
    uint32_t n = migr_u32(r);
    *n_out = 0;
    *v_out = NULL;
    if (r->bad || n > MAX_STRINGS || n > migr_left(r) / 4) {
        migr_fail(r, "string list length out of range");
        return false;
    }
    char **v = plat_alloc((n + 1) * sizeof *v);
    if (!v) {
        migr_fail(r, "out of memory");
        return false;
    }
    uint32_t i = 0;
    for (; i < n; i++) {
        uint32_t len;
        const uint8_t *p = migr_blob(r, MAX_STRING, &len);
        v[i] = r->bad ? NULL : plat_alloc(len + 1);
        if (!v[i]) {
            migr_fail(r, "out of memory");
            break;
        }
        if (len)
            __builtin_memcpy(v[i], p, len);
        v[i][len] = 0;
    }
    if (r->bad) {
        for (uint32_t j = 0; j < i; j++)
            plat_free(v[j]);
        plat_free(v);
        return false;
    }
    v[n] = NULL;
    *n_out = n;
    *v_out = v;
    return true;
}

static void free_strings(uint32_t n, char **v)
{
    for (uint32_t i = 0; v && i < n; i++)
        plat_free(v[i]);
    plat_free(v);
}

/* The restored SIP goes away without anyone hearing of it. */
static void discard(sip *s)
{
    kernel *k = s->k;
    kernel_exit_fn fn = k->on_exit;
    k->on_exit = NULL;
    sip_terminate(s, SIP_END_KILLED);
    k->on_exit = fn;
}

/* Check the header and checksum; returns engine_off (or 0 with err). */
static size_t check_header(const uint8_t *buf, size_t len, uint64_t *engine_len, uint32_t *next,
                           char *err, size_t errlen)
{
    mig_reader r = { buf, buf + len, false, "" };
    if (len < HEADER_BYTES + 8) {
        rt_snprintf(err, errlen, "SIP image: too short (%u bytes)", (unsigned)len);
        return 0;
    }
    uint32_t magic = migr_u32(&r), version = migr_u32(&r);
    uint64_t off = migr_u64(&r), elen = migr_u64(&r);
    *next = migr_u32(&r);
    if (magic != MIGRATE_MAGIC) {
        rt_snprintf(err, errlen, "SIP image: bad magic (not a SIP image)");
        return 0;
    }
    if (version != MIGRATE_VERSION) {
        rt_snprintf(err, errlen, "SIP image: version %u, this node reads %u", version, MIGRATE_VERSION);
        return 0;
    }
    if (off < HEADER_BYTES || off > len || elen > len - off || len - off - elen != 8) {
        rt_snprintf(err, errlen, "SIP image: section sizes do not match its length");
        return 0;
    }
    uint64_t sum = 0;
    for (int i = 7; i >= 0; i--)
        sum = sum << 8 | buf[len - 8 + (size_t)i];
    if (sum != mig_checksum(buf, off)) {
        rt_snprintf(err, errlen, "SIP image: checksum mismatch (damaged in transit?)");
        return 0;
    }
    *engine_len = elen;
    return off;
}

int migrate_reseal(uint8_t *buf, size_t len)
{
    if (len < HEADER_BYTES + 8)
        return -1;
    mig_reader r = { buf, buf + len, false, "" };
    if (migr_u32(&r) != MIGRATE_MAGIC)
        return -1;
    migr_u32(&r);
    uint64_t off = migr_u64(&r);
    if (off > len - 8)
        off = len - 8;
    uint64_t sum = mig_checksum(buf, off);
    for (int i = 0; i < 8; i++)
        buf[len - 8 + (size_t)i] = (uint8_t)(sum >> (8 * i));
    return 0;
}

int migrate_peek(const uint8_t *buf, size_t len, migrate_info *info, char *err, size_t errlen)
{
    uint64_t elen;
    uint32_t next;
    size_t off = check_header(buf, len, &elen, &next, err, errlen);
    if (!off)
        return SIP_EINVAL;
    mig_reader r = { buf + HEADER_BYTES, buf + off, false, "" };
    __builtin_memset(info, 0, sizeof *info);
    migr_str(&r, info->name, sizeof info->name);
    migr_bytes(&r, info->module_hash, MIGRATE_HASH_LEN);
    if (r.bad) {
        rt_snprintf(err, errlen, "SIP image: %s", r.why);
        return SIP_EINVAL;
    }
    info->engine_bytes = elen;
    info->next = next;
    return 0;
}

/* Link internal peers pairwise and collect external ends by index. */
static bool link_peers(load_ctx *c)
{
    mig_reader *r = &c->r;
    if (c->next > c->all.n) {
        migr_fail(r, "more external ends than endpoints");
        return false;
    }
    c->ext = plat_alloc((c->next + 1) * sizeof *c->ext);
    if (!c->ext) {
        migr_fail(r, "out of memory");
        return false;
    }
    for (uint32_t i = 0; i < c->next; i++)
        c->ext[i] = NULL;
    for (uint32_t i = 0; i < c->all.n; i++) {
        endpoint *ep = c->all.v[i];
        uint32_t ref = c->peer_ref[i];
        if (c->peer_kind[i] == PEER_INTERNAL) {
            if (ref >= c->all.n || ref == i || c->peer_kind[ref] != PEER_INTERNAL ||
                c->peer_ref[ref] != i) {
                migr_fail(r, "endpoint peers do not pair up");
                return false;
            }
            endpoint *p = c->all.v[ref];
            if (p->c != ep->c || p->side == ep->side) {
                migr_fail(r, "paired endpoints differ in contract or side");
                return false;
            }
        }
    }
    /* every end not wholly inside is external, numbered in visiting order */
    uint32_t next = 0;
    for (uint32_t i = 0; i < c->all.n; i++) {
        if (c->peer_kind[i] == PEER_INTERNAL)
            continue;
        if (c->peer_kind[i] == PEER_EXTERNAL && c->peer_ref[i] != next) {
            migr_fail(r, "external ends out of order");
            return false;
        }
        if (next >= c->next) {
            migr_fail(r, "external end count does not match");
            return false;
        }
        c->ext[next++] = c->all.v[i];
    }
    if (next != c->next) {
        migr_fail(r, "external end count does not match");
        return false;
    }
    for (uint32_t i = 0; i < c->all.n; i++)
        if (c->peer_kind[i] == PEER_INTERNAL)
            c->all.v[i]->peer = c->all.v[c->peer_ref[i]];
    return true;
}

static bool get_table(load_ctx *c, sip *s)
{
    mig_reader *r = &c->r;
    handle_table *t = &s->ht;
    uint32_t cap = migr_u32(r), free_head = migr_u32(r);
    if (r->bad || cap > HANDLE_MAX_SLOTS || cap > migr_left(r) / 3) {
        migr_fail(r, "handle table size out of range");
        return false;
    }
    if (cap) {
        t->e = plat_alloc(cap * sizeof *t->e);
        if (!t->e) {
            migr_fail(r, "out of memory");
            return false;
        }
        for (uint32_t i = 0; i < cap; i++)
            t->e[i] = (hentry){ .gen = 1, .kind = HK_FREE, .next_free = NO_SLOT };
        t->cap = cap;
    }
    t->free_head = NO_SLOT;
    for (uint32_t i = 0; i < cap; i++) {
        hentry *he = &t->e[i];
        uint16_t gen = migr_u16(r);
        uint8_t kind = migr_u8(r);
        if (r->bad)
            return false;
        if (!gen || gen > 0x7FFF) {
            migr_fail(r, "handle generation out of range");
            return false;
        }
        he->gen = gen;
        if (kind == HK_FREE) {
            he->next_free = migr_u32(r);
            continue;
        }
        void *obj = kind == HK_BLOCK ? (void *)get_block(c)
                  : kind == HK_ENDPOINT ? (void *)get_endpoint(c, 0) : NULL;
        if (!obj) {
            migr_fail(r, "handle of unknown kind");
            return false;
        }
        uint32_t bytes = kind == HK_BLOCK ? ((xblock *)obj)->size : 0;
        he->kind = kind;
        he->obj = obj;
        he->own = obj_owner(kind, obj);
        he->bytes = bytes;
        he->own->kind = OWNER_TABLE;
        he->own->owner = t;
        he->own->slot = i;
        t->count++;
        t->bytes += bytes;
    }
    if (t->count > t->max_handles || (t->max_bytes && t->bytes > t->max_bytes)) {
        migr_fail(r, "handles exceed the SIP's quotas");
        return false;
    }
    /* the free list: free slots only, each once, ending in NO_SLOT */
    uint32_t nfree = cap - t->count, steps = 0;
    for (uint32_t i = free_head; i != NO_SLOT; i = t->e[i].next_free) {
        if (i >= cap || t->e[i].kind != HK_FREE || ++steps > nfree) {
            migr_fail(r, "handle free list is broken");
            return false;
        }
    }
    t->free_head = free_head;
    return true;
}

/* The memory section, onto the restored store's (zeroed) memory. */
static bool get_memory(mig_reader *r, sip *s, const migrate_base *base)
{
    uint8_t mode = migr_u8(r);
    uint64_t size = migr_u64(r), have;
    uint8_t *mem = wasm_sip_memory(s, &have);
    if (r->bad)
        return false;
    if ((mode != MEM_FROM_ZERO && mode != MEM_FROM_BASE) || size != have) {
        migr_fail(r, "memory section does not match the engine snapshot");
        return false;
    }
    if (mode == MEM_FROM_BASE) {
        if (!base || base->size > size) {
            migr_fail(r, "image needs pre-copied memory that is missing or larger");
            return false;
        }
        if (base->size)
            __builtin_memcpy(mem, base->mem, base->size);
    }
    return get_pages(r, mem, size);
}

sip *migrate_restore(kernel *k, const uint8_t *buf, size_t len, const migrate_base *base,
                     migrate_module_fn find, void *find_arg, endpoint ***ext_out,
                     uint32_t *next_out, char *err, size_t errlen)
{
    *ext_out = NULL;
    *next_out = 0;
    uint64_t engine_len;
    load_ctx c;
    __builtin_memset(&c, 0, sizeof c);
    size_t off = check_header(buf, len, &engine_len, &c.next, err, errlen);
    if (!off)
        return NULL;
    c.k = k;
    mig_reader *r = &c.r;
    r->p = buf + HEADER_BYTES;
    r->end = buf + off;
    char name[SIP_NAME_MAX];
    uint8_t hash[MIGRATE_HASH_LEN];
    sip_quota q;
    migr_str(r, name, sizeof name);
    migr_bytes(r, hash, sizeof hash);
    q.memory_bytes = migr_u64(r);
    q.fuel_slice = migr_u64(r);
    q.heap_bytes = migr_u64(r);
    q.handles = migr_u32(r);
    uint64_t fuel_used = migr_u64(r), slices = migr_u64(r);
    uint8_t yield_taken = migr_u8(r);
    if (r->bad) {
        rt_snprintf(err, errlen, "SIP image: %s", r->why);
        return NULL;
    }
    if (!q.memory_bytes || !q.fuel_slice || !q.heap_bytes || !q.handles || yield_taken > 1) {
        rt_snprintf(err, errlen, "SIP image: quota or flags out of range");
        return NULL;
    }
    const wasm_module *m = find ? find(find_arg, hash, err, errlen) : NULL;
    if (!m) {
        if (!find)
            rt_snprintf(err, errlen, "SIP image: no module source");
        return NULL;
    }
    if (__builtin_memcmp(wasm_module_hash(m), hash, MIGRATE_HASH_LEN)) {
        rt_snprintf(err, errlen, "SIP image: the module found does not have the image's hash");
        return NULL;
    }
    sip *s = sip_create(k, name, &q);
    if (!s) {
        rt_snprintf(err, errlen, "out of memory");
        return NULL;
    }
    s->state = SIP_PAUSED;
    s->fuel_used = fuel_used;
    s->slices = slices;
    s->yield_taken = yield_taken;
    /* WASI */
    uint32_t argc = 0, envc = 0;
    char **argv = NULL, **envp = NULL;
    wasi_ctx wc;
    __builtin_memset(&wc, 0, sizeof wc);
    if (get_strings(r, &argc, &argv) && get_strings(r, &envc, &envp)) {
        if (!wasi_ctx_init(&wc, argc, (const char *const *)argv, envc, (const char *const *)envp))
            migr_fail(r, "out of memory");
    }
    free_strings(argc, argv);
    free_strings(envc, envp);
    uint64_t now = plat_time_ns(1);
    wc.log_bytes = migr_u64(r);
    uint8_t exited = migr_u8(r);
    wc.exit_code = migr_u32(r);
    wc.closed_fds = migr_u8(r);
    uint8_t wyield = migr_u8(r), sleeping = migr_u8(r);
    uint64_t wake_in = migr_u64(r), cpu = migr_u64(r);
    if (!r->bad && (exited > 1 || wc.closed_fds > 7 || wyield > 1 || sleeping > 1))
        migr_fail(r, "WASI state out of range");
    wc.exited = exited;
    wc.yield_taken = wyield;
    wc.sleeping = sleeping;
    wc.wake_ns = wc.sleeping ? now + wake_in : 0;
    wc.start_ns = now - (cpu < now ? cpu : now);
    if (r->bad) {
        wasi_ctx_free(&wc);
        goto fail;
    }
    char why[160];
    if (wasm_sip_attach_snapshot(s, m, buf + off, engine_len, &wc, why, sizeof why) < 0) {
        wasi_ctx_free(&wc);
        migr_fail(r, why);
        goto fail;
    }
    /* name bindings */
    uint32_t nb = migr_u32(r);
    if (r->bad || nb > migr_left(r) / 8) {
        migr_fail(r, "binding count out of range");
        goto fail;
    }
    if (nb) {
        s->binds = plat_alloc(nb * sizeof *s->binds);
        if (!s->binds) {
            migr_fail(r, "out of memory");
            goto fail;
        }
        for (uint32_t i = 0; i < nb && !r->bad; i++) {
            migr_str(r, s->binds[i].name, SIP_NAME_MAX);
            s->binds[i].handle = (int32_t)migr_u32(r);
            s->nbinds = i + 1;
        }
    }
    if (r->bad || !get_table(&c, s) || !link_peers(&c) || !get_memory(r, s, base))
        goto fail;
    if (r->p != r->end) {
        migr_fail(r, "trailing bytes before the engine snapshot");
        goto fail;
    }
    plat_free(c.all.v);
    plat_free(c.peer_kind);
    plat_free(c.peer_ref);
    *ext_out = c.ext;
    *next_out = c.next;
    return s;
fail:
    rt_snprintf(err, errlen, "SIP image for %s refused: %s", name, r->why[0] ? r->why : "damaged");
    if (c.ext)
        plat_free(c.ext);
    plat_free(c.all.v);
    plat_free(c.peer_kind);
    plat_free(c.peer_ref);
    discard(s);
    return NULL;
}
