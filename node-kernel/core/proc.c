/* SIP records: create, wire endpoints by name, start, fault, terminate with full
 * reclamation (see proc.h). */
#include "node-kernel/core/proc.h"
#include "node-kernel/core/channel.h"
#include "node-kernel/core/kstring.h"
#include "node-kernel/core/platform.h"
#include "sips/engine/rt.h"

static void copy_name(char *dst, const char *src)
{
    size_t n = src ? k_strlen(src) : 0;
    if (n >= SIP_NAME_MAX)
        n = SIP_NAME_MAX - 1;
    __builtin_memcpy(dst, src ? src : "", n);
    dst[n] = 0;
}

sip *sip_create(kernel *k, const char *name, const sip_quota *q)
{
    uint32_t slot = 0;
    while (slot < k->nsips_cap && k->sips[slot])
        slot++;
    if (slot == k->nsips_cap) {
        uint32_t ncap = k->nsips_cap ? k->nsips_cap * 2 : 16;
        sip **ns = plat_realloc(k->sips, ncap * sizeof *ns);
        if (!ns)
            return NULL;
        for (uint32_t i = k->nsips_cap; i < ncap; i++)
            ns[i] = NULL;
        k->sips = ns;
        k->nsips_cap = ncap;
    }
    sip *s = plat_alloc(sizeof *s);
    if (!s)
        return NULL;
    __builtin_memset(s, 0, sizeof *s);
    s->k = k;
    s->id = ++k->next_id;
    s->slot = slot;
    copy_name(s->name, name);
    s->state = SIP_NEW;
    if (q)
        s->quota = *q;
    if (!s->quota.memory_bytes) s->quota.memory_bytes = SIP_DEFAULT_MEMORY;
    if (!s->quota.fuel_slice)   s->quota.fuel_slice = SIP_DEFAULT_FUEL;
    if (!s->quota.heap_bytes)   s->quota.heap_bytes = SIP_DEFAULT_HEAP;
    if (!s->quota.handles)      s->quota.handles = SIP_DEFAULT_HANDLES;
    htab_init(&s->ht, s, s->quota.handles, s->quota.heap_bytes);
    k->sips[slot] = s;
    k->nsips_live++;
    return s;
}

void sip_set_body(sip *s, const sip_body_ops *ops, void *body)
{
    s->ops = ops;
    s->body = body;
}

int sip_wire(sip *s, const char *name, endpoint *ep)
{
    for (uint32_t i = 0; i < s->nbinds; i++)
        if (k_streq(s->binds[i].name, name))
            return SIP_EINVAL;
    sip_binding *nb = plat_realloc(s->binds, (s->nbinds + 1) * sizeof *nb);
    if (!nb)
        return SIP_ENOMEM;
    s->binds = nb;
    int32_t h = htab_put(&s->ht, HK_ENDPOINT, ep, &ep->own, 0);
    if (h < 0)
        return h;
    copy_name(nb[s->nbinds].name, name);
    nb[s->nbinds].handle = h;
    s->nbinds++;
    return 0;
}

int sip_start(sip *s)
{
    if (s->state != SIP_NEW || !s->ops)
        return SIP_EINVAL;
    sched_make_runnable(s);
    return 0;
}

int32_t sip_fault(sip *s, int32_t err, const char *why)
{
    if (!s->fault[0])
        rt_snprintf(s->fault, sizeof s->fault, "%s", why);
    return err;
}

sip *sip_by_id(kernel *k, uint32_t id)
{
    for (uint32_t i = 0; i < k->nsips_cap; i++)
        if (k->sips[i] && k->sips[i]->id == id)
            return k->sips[i];
    return NULL;
}

sip *sip_by_name(kernel *k, const char *name)
{
    for (uint32_t i = 0; i < k->nsips_cap; i++)
        if (k->sips[i] && k_streq(k->sips[i]->name, name))
            return k->sips[i];
    return NULL;
}

sip *owner_sip(const owner_ref *own)
{
    if (own->kind != OWNER_TABLE)
        return NULL;
    return ((handle_table *)own->owner)->sip;
}

static void runq_remove(sip *s)
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

void sip_terminate(sip *s, sip_end how)
{
    kernel *k = s->k;
    if (s->on_runq)
        runq_remove(s);
    if (s->wake_ns) {
        s->wake_ns = 0;
        k->nsleepers--;
    }
    s->state = SIP_DEAD;
    s->end = how;
    /* Reclaim: free every block, close every endpoint (peers see the close). */
    for (uint32_t i = 0; i < s->ht.cap; i++) {
        int32_t h = htab_handle_at(&s->ht, i);
        if (h < 0)
            continue;
        handle_kind kind = htab_kind(&s->ht, h);
        void *obj = htab_take(&s->ht, h, kind);
        if (kind == HK_BLOCK)
            exheap_free(&k->heap, obj);
        else
            chan_close(obj);
    }
    htab_destroy(&s->ht);
    if (s->ops && s->ops->destroy)
        s->ops->destroy(s);
    if (k->on_exit)
        k->on_exit(k->on_exit_arg, s);
    k->sips[s->slot] = NULL;
    k->nsips_live--;
    plat_free(s->binds);
    plat_free(s);
    chan_sweep(k);
}

void sip_kill(sip *s, const char *why)
{
    sip_fault(s, 0, why ? why : "killed");
    sip_terminate(s, SIP_END_KILLED);
}
