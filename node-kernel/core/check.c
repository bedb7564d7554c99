/* kernel_check(): the ownership invariant of the exchange heap and the endpoints, walked
 * from both sides -- every object's owner record points at a holder that refers back to
 * it, and the holders together refer to exactly the live objects. Used by tests after
 * every scenario, hostile or not. */
#include "node-kernel/core/channel.h"
#include "node-kernel/core/proc.h"
#include "sips/engine/rt.h"

#define FAIL(...) do { rt_snprintf(why, why_len, __VA_ARGS__); return -1; } while (0)

/* Does the holder named by own refer to obj in that slot? */
static bool owner_refers(const owner_ref *own, uint8_t kind, const void *obj)
{
    if (own->kind == OWNER_TABLE) {
        const handle_table *t = own->owner;
        return own->slot < t->cap && t->e[own->slot].kind == kind && t->e[own->slot].obj == obj
               && t->e[own->slot].own == own;
    }
    if (own->kind == OWNER_MESSAGE) {
        const message *m = own->owner;
        return own->slot < m->nhandles && m->h[own->slot].kind == kind && m->h[own->slot].obj == obj;
    }
    return false;
}

int kernel_check(const kernel *k, char *why, size_t why_len)
{
    uint64_t bytes = 0, blocks = 0;
    for (const xblock *b = k->heap.head.next; b != &k->heap.head; b = b->next) {
        bytes += b->size;
        blocks++;
        if (!owner_refers(&b->own, HK_BLOCK, b))
            FAIL("block %p (%u bytes): owner (kind %u) does not hold it", (void *)b, b->size, b->own.kind);
    }
    if (bytes != k->heap.used_bytes || blocks != k->heap.live_blocks)
        FAIL("heap says %llu bytes in %llu blocks, live list has %llu in %llu",
             (unsigned long long)k->heap.used_bytes, (unsigned long long)k->heap.live_blocks,
             (unsigned long long)bytes, (unsigned long long)blocks);

    uint64_t block_refs = 0, ep_refs = 0, eps = 0;
    for (uint32_t i = 0; i < k->nsips_cap; i++) {
        const sip *s = k->sips[i];
        if (!s)
            continue;
        uint64_t tbytes = 0;
        uint32_t tcount = 0;
        for (uint32_t j = 0; j < s->ht.cap; j++) {
            const hentry *e = &s->ht.e[j];
            if (e->kind == HK_FREE)
                continue;
            tcount++;
            const owner_ref *own = obj_owner(e->kind, e->obj);
            if (own != e->own || own->kind != OWNER_TABLE || own->owner != &s->ht || own->slot != j)
                FAIL("SIP %s: handle slot %u holds an object owned elsewhere", s->name, j);
            if (e->kind == HK_BLOCK) {
                block_refs++;
                tbytes += ((const xblock *)e->obj)->size;
                if (e->bytes != ((const xblock *)e->obj)->size)
                    FAIL("SIP %s: slot %u charged %u bytes for a block of %u", s->name, j, e->bytes,
                         ((const xblock *)e->obj)->size);
            } else {
                ep_refs++;
            }
        }
        if (tbytes != s->ht.bytes || tcount != s->ht.count)
            FAIL("SIP %s: quota accounting says %llu bytes / %u handles, table has %llu / %u",
                 s->name, (unsigned long long)s->ht.bytes, s->ht.count,
                 (unsigned long long)tbytes, tcount);
        if (s->ht.bytes > s->ht.max_bytes && s->ht.max_bytes)
            FAIL("SIP %s: over its heap quota", s->name);
    }
    for (const endpoint *ep = k->eps; ep; ep = ep->next) {
        eps++;
        if (ep->peer && ep->peer->peer != ep)
            FAIL("endpoint %llu: peer does not point back", (unsigned long long)ep->id);
        if (ep->own.kind != OWNER_KERNEL && !ep->remote && !owner_refers(&ep->own, HK_ENDPOINT, ep))
            FAIL("endpoint %llu: owner (kind %u) does not hold it", (unsigned long long)ep->id, ep->own.kind);
        uint32_t qlen = 0;
        for (const message *m = ep->qhead; m; m = m->next) {
            qlen++;
            for (uint32_t i = 0; i < m->nhandles; i++) {
                if (m->h[i].kind == HK_FREE)
                    continue;
                const owner_ref *own = obj_owner(m->h[i].kind, m->h[i].obj);
                if (own->kind != OWNER_MESSAGE || own->owner != m || own->slot != i)
                    FAIL("message on endpoint %llu: handle %u owned elsewhere", (unsigned long long)ep->id, i);
                if (m->h[i].kind == HK_BLOCK)
                    block_refs++;
                else
                    ep_refs++;
            }
        }
        if (qlen != ep->qlen)
            FAIL("endpoint %llu: queue length %u, counted %u", (unsigned long long)ep->id, ep->qlen, qlen);
    }
    if (eps != k->live_endpoints)
        FAIL("kernel counts %llu endpoints, list has %llu",
             (unsigned long long)k->live_endpoints, (unsigned long long)eps);
    if (block_refs != blocks)
        FAIL("%llu live blocks but %llu references to blocks", (unsigned long long)blocks,
             (unsigned long long)block_refs);
    (void)ep_refs;
    if (why_len)
        why[0] = 0;
    return 0;
}
