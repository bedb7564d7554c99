/* Per-SIP handle tables (see handles.h). */
#include "node-kernel/core/handles.h"
#include "node-kernel/core/platform.h"
#include "sips/sdk/sip.h"

#define NO_SLOT UINT32_MAX

static inline int32_t make_handle(uint16_t gen, uint32_t slot)
{
    return (int32_t)(((uint32_t)gen << 16) | slot);
}

void htab_init(handle_table *t, void *sip, uint32_t max_handles, uint64_t max_bytes)
{
    __builtin_memset(t, 0, sizeof *t);
    t->free_head = NO_SLOT;
    t->max_handles = max_handles && max_handles < HANDLE_MAX_SLOTS ? max_handles : HANDLE_MAX_SLOTS;
    t->max_bytes = max_bytes;
    t->sip = sip;
}

void htab_destroy(handle_table *t)
{
    plat_free(t->e);
    t->e = NULL;
    t->cap = t->count = 0;
}

bool htab_fits(const handle_table *t, uint32_t n, uint64_t bytes)
{
    if (t->count + n > t->max_handles)
        return false;
    return !t->max_bytes || t->bytes + bytes <= t->max_bytes;
}

int32_t htab_put(handle_table *t, handle_kind kind, void *obj, owner_ref *own, uint32_t bytes)
{
    if (!htab_fits(t, 1, bytes))
        return SIP_EQUOTA;
    uint32_t slot = t->free_head;
    if (slot == NO_SLOT) {
        if (t->cap == HANDLE_MAX_SLOTS)
            return SIP_EQUOTA;
        uint32_t ncap = t->cap ? t->cap * 2 : 16;
        if (ncap > HANDLE_MAX_SLOTS)
            ncap = HANDLE_MAX_SLOTS;
        hentry *ne = plat_realloc(t->e, ncap * sizeof *ne);
        if (!ne)
            return SIP_ENOMEM;
        for (uint32_t i = t->cap; i < ncap; i++) {
            ne[i] = (hentry){ .gen = 1, .kind = HK_FREE, .next_free = i + 1 < ncap ? i + 1 : NO_SLOT };
        }
        t->e = ne;
        t->free_head = t->cap;
        t->cap = ncap;
        slot = t->free_head;
    }
    hentry *e = &t->e[slot];
    t->free_head = e->next_free;
    e->kind = kind;
    e->obj = obj;
    e->own = own;
    e->bytes = bytes;
    own->kind = OWNER_TABLE;
    own->owner = t;
    own->slot = slot;
    t->count++;
    t->bytes += bytes;
    return make_handle(e->gen, slot);
}

static hentry *lookup(const handle_table *t, int32_t h)
{
    if (h <= 0)
        return NULL;
    uint32_t slot = (uint32_t)h & 0xFFFFu, gen = (uint32_t)h >> 16;
    if (slot >= t->cap)
        return NULL;
    hentry *e = &t->e[slot];
    if (e->kind == HK_FREE || e->gen != gen)
        return NULL;
    return e;
}

void *htab_get(const handle_table *t, int32_t h, handle_kind kind)
{
    hentry *e = lookup(t, h);
    return e && e->kind == kind ? e->obj : NULL;
}

handle_kind htab_kind(const handle_table *t, int32_t h)
{
    hentry *e = lookup(t, h);
    return e ? (handle_kind)e->kind : HK_FREE;
}

void *htab_take(handle_table *t, int32_t h, handle_kind kind)
{
    hentry *e = lookup(t, h);
    if (!e || e->kind != kind)
        return NULL;
    void *obj = e->obj;
    e->own->kind = OWNER_NONE;
    e->own->owner = NULL;
    t->bytes -= e->bytes;
    t->count--;
    e->kind = HK_FREE;
    e->obj = NULL;
    e->own = NULL;
    e->bytes = 0;
    e->gen = (uint16_t)(e->gen == 0x7FFF ? 1 : e->gen + 1);   /* stays positive, never 0 */
    e->next_free = t->free_head;
    t->free_head = (uint32_t)(e - t->e);
    return obj;
}

int32_t htab_handle_at(const handle_table *t, uint32_t i)
{
    if (i >= t->cap || t->e[i].kind == HK_FREE)
        return -1;
    return make_handle(t->e[i].gen, i);
}
