/* Migration between kernels of one process, and the in-process proxy link that joins
 * channel ends across them (see migrate_local.h). */
#include "node-kernel/core/migrate_local.h"
#include "node-kernel/core/kstring.h"
#include "node-kernel/core/platform.h"
#include "sips/engine/rt.h"

/* Two proxies joining real end `ra` (kernel a) and real end `rb` (kernel b): `pa` lives on
 * a as ra's peer and stands for rb; `pb` lives on b as rb's peer and stands for ra. */
typedef struct mpair {
    struct mpair *next;
    endpoint *ra, *pa, *rb, *pb;
    bool dead;                    /* a side closed, or the ends were joined directly */
} mpair;

struct mlink {
    mpair *pairs;
};

static void pair_deliver(endpoint *proxy, message *m, void *arg);
static void pair_closed(endpoint *proxy, void *arg);
static const endpoint_remote pair_ops = { .deliver = pair_deliver, .closed = pair_closed };

mlink *mlink_new(void)
{
    mlink *l = plat_alloc(sizeof *l);
    if (l)
        l->pairs = NULL;
    return l;
}

void mlink_free(mlink *l)
{
    if (!l)
        return;
    while (l->pairs) {
        mpair *p = l->pairs;
        l->pairs = p->next;
        /* a live proxy's close tells the real end beside it that the channel is gone */
        if (p->pa)
            chan_close(p->pa);
        if (p->pb)
            chan_close(p->pb);
        plat_free(p);
    }
    plat_free(l);
}

uint32_t mlink_live_pairs(const mlink *l)
{
    uint32_t n = 0;
    for (const mpair *p = l->pairs; p; p = p->next)
        n += !p->dead;
    return n;
}

/* ---- the proxies --------------------------------------------------------------------- */

static void pair_kill(mpair *p)
{
    p->dead = true;
    if (p->pa) p->pa->peer = NULL;
    if (p->pb) p->pb->peer = NULL;
    p->ra = p->rb = NULL;
}

/* Close both real ends of a pair (a message could not cross): neither side hangs. */
static void pair_fail(mpair *p, const char *why)
{
    plat_console_write(why, k_strlen(why));
    endpoint *ra = p->ra, *rb = p->rb;
    pair_kill(p);
    if (ra) chan_peer_closed(ra);
    if (rb) chan_peer_closed(rb);
}

/* The same message for kernel `to`: scalars copied, blocks re-allocated there. The original
 * (and its blocks) is freed in kernel `from`. Returns NULL if it cannot cross. */
static message *msg_cross(kernel *from, kernel *to, message *m)
{
    message *n = msg_new(m->tag, m->payload, m->payload_len);
    bool ok = n != NULL;
    for (uint32_t i = 0; ok && i < m->nhandles; i++) {
        if (m->h[i].kind != HK_BLOCK) {
            ok = false;
            break;
        }
        xblock *src = m->h[i].obj;
        xblock *b = exheap_alloc(&to->heap, src->size);
        if (!b) {
            ok = false;
            break;
        }
        __builtin_memcpy(b->data, src->data, src->size);
        msg_add_handle(n, HK_BLOCK, b, &b->own);
    }
    msg_free(from, m);
    if (!ok && n) {
        msg_free(to, n);
        n = NULL;
    }
    return n;
}

static void pair_deliver(endpoint *proxy, message *m, void *arg)
{
    mpair *p = arg;
    endpoint *to = proxy == p->pa ? p->rb : p->ra;
    if (p->dead || !to) {
        msg_free(proxy->k, m);
        return;
    }
    message *n = msg_cross(proxy->k, to->k, m);
    if (!n) {
        pair_fail(p, "migrate_local: a message that carries an endpoint (or finds no room) "
                     "cannot cross the in-process link; channel closed\n");
        return;
    }
    chan_deliver(to, n);
}

static void pair_closed(endpoint *proxy, void *arg)
{
    mpair *p = arg;
    if (p->dead)
        return;
    endpoint *other = proxy == p->pa ? p->rb : p->ra;
    pair_kill(p);
    if (other)
        chan_peer_closed(other);
}

static mpair *pair_new(mlink *l, endpoint *ra, endpoint *rb)
{
    mpair *p = plat_alloc(sizeof *p);
    if (!p)
        return NULL;
    __builtin_memset(p, 0, sizeof *p);
    p->pa = chan_endpoint_new(ra->k, ra->c, rb->side);
    p->pb = chan_endpoint_new(rb->k, rb->c, ra->side);
    if (!p->pa || !p->pb) {
        if (p->pa) chan_close(p->pa);
        if (p->pb) chan_close(p->pb);
        plat_free(p);
        return NULL;
    }
    p->ra = ra;
    p->rb = rb;
    p->pa->own.kind = OWNER_KERNEL;
    p->pb->own.kind = OWNER_KERNEL;
    p->pa->remote = &pair_ops;
    p->pa->remote_arg = p;
    p->pb->remote = &pair_ops;
    p->pb->remote_arg = p;
    p->pa->peer = ra;
    ra->peer = p->pa;
    p->pb->peer = rb;
    rb->peer = p->pb;
    p->next = l->pairs;
    l->pairs = p;
    return p;
}

/* ---- the hand-off ---------------------------------------------------------------------- */

typedef struct handoff_ctx {
    mlink *l;
    endpoint **ext;               /* the target's ends, by index */
    bool failed;
} handoff_ctx;

static void on_late(void *arg, uint32_t i, endpoint *src, message *m)
{
    handoff_ctx *h = arg;
    endpoint *to = h->ext[i];
    message *n = msg_cross(src->k, to->k, m);
    if (n)
        chan_deliver(to, n);
    else
        h->failed = true;
}

static void on_reroute(void *arg, uint32_t i, endpoint *src)
{
    handoff_ctx *h = arg;
    endpoint *t = h->ext[i], *x = src->peer;
    src->peer = NULL;
    if (!x) {                           /* the peer is gone: the target's end hears it */
        if (src->peer_closed && !t->peer_closed)
            chan_peer_closed(t);
        return;
    }
    if (x->remote == &pair_ops) {       /* its peer is already across the link */
        mpair *p = x->remote_arg;
        endpoint *far = x == p->pa ? p->rb : p->ra;
        pair_kill(p);                   /* nothing is in flight on it: retire it */
        if (!far) {
            chan_peer_closed(t);
            return;
        }
        if (far->k == t->k) {           /* back beside its peer: join them directly */
            far->peer = t;
            t->peer = far;
            return;
        }
        x = far;                        /* a new pair from the far end to the target */
    }
    if (!pair_new(h->l, x, t)) {
        x->peer = NULL;
        chan_peer_closed(x);
        chan_peer_closed(t);
        h->failed = true;
    }
}

struct mlink_move {
    sip *s;
    migrate_image img;
    uint64_t t0, t1;
};

mlink_move *mlink_begin(sip *s, char *err, size_t errlen)
{
    return mlink_begin_precopied(s, NULL, err, errlen);
}

mlink_move *mlink_begin_precopied(sip *s, migrate_precopy *pc, char *err, size_t errlen)
{
    mlink_move *mv = plat_alloc(sizeof *mv);
    if (!mv) {
        rt_snprintf(err, errlen, "out of memory");
        return NULL;
    }
    mv->s = s;
    mv->t0 = plat_time_ns(1);
    if (migrate_pause(s) < 0) {
        rt_snprintf(err, errlen, "%s cannot be paused (not a running WebAssembly SIP)", s->name);
        plat_free(mv);
        return NULL;
    }
    if ((pc ? migrate_save_precopied(s, pc, &mv->img, err, errlen)
            : migrate_save(s, &mv->img, err, errlen)) < 0) {
        migrate_resume(s);
        plat_free(mv);
        return NULL;
    }
    mv->t1 = plat_time_ns(1);
    return mv;
}

const migrate_image *mlink_image(const mlink_move *mv)
{
    return &mv->img;
}

sip *mlink_finish(mlink *l, mlink_move *mv, kernel *to, migrate_module_fn find, void *find_arg,
                  migrate_stats *st, char *err, size_t errlen)
{
    return mlink_finish_base(l, mv, to, NULL, find, find_arg, st, err, errlen);
}

sip *mlink_finish_base(mlink *l, mlink_move *mv, kernel *to, const migrate_base *base,
                       migrate_module_fn find, void *find_arg, migrate_stats *st,
                       char *err, size_t errlen)
{
    migrate_stats dummy;
    if (!st)
        st = &dummy;
    __builtin_memset(st, 0, sizeof *st);
    sip *s = mv->s;
    migrate_image *img = &mv->img;
    uint64_t t1 = plat_time_ns(1);
    endpoint **ext = NULL;
    uint32_t next = 0;
    sip *t = to ? migrate_restore(to, img->buf, img->len, base, find, find_arg, &ext, &next, err, errlen)
                : NULL;
    uint64_t t2 = plat_time_ns(1);
    st->image_bytes = img->len;
    st->engine_bytes = img->engine_bytes;
    if (!t) {
        if (!to)
            rt_snprintf(err, errlen, "no target");
        migrate_image_free(img);
        plat_free(mv);
        migrate_resume(s);              /* the source keeps it */
        return NULL;
    }
    handoff_ctx hc = { l, ext, false };
    migrate_handoff h = { on_late, on_reroute, &hc };
    st->external_ends = next;
    migrate_release(s, img, &h);
    migrate_image_free(img);
    plat_free(ext);
    migrate_resume(t);
    st->save_ns = mv->t1 - mv->t0;
    st->restore_ns = t2 - t1;
    st->downtime_ns = plat_time_ns(1) - mv->t0;
    plat_free(mv);
    return t;
}

sip *mlink_migrate(mlink *l, sip *s, kernel *to, migrate_module_fn find, void *find_arg,
                   migrate_stats *st, char *err, size_t errlen)
{
    mlink_move *mv = mlink_begin(s, err, errlen);
    return mv ? mlink_finish(l, mv, to, find, find_arg, st, err, errlen) : NULL;
}
