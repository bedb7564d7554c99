/* Exchange heap allocation and accounting (see exheap.h). */
#include "node-kernel/core/exheap.h"
#include "node-kernel/core/platform.h"

void exheap_init(exheap *h, uint64_t max_bytes)
{
    h->head.prev = h->head.next = &h->head;
    h->used_bytes = 0;
    h->live_blocks = 0;
    h->max_bytes = max_bytes;
    h->max_block = EXHEAP_DEFAULT_MAX_BLOCK;
}

void exheap_destroy(exheap *h)
{
    while (h->head.next != &h->head)
        exheap_free(h, h->head.next);
}

xblock *exheap_alloc(exheap *h, uint32_t size)
{
    if (size > h->max_block)
        return NULL;
    if (h->max_bytes && h->used_bytes + size > h->max_bytes)
        return NULL;
    xblock *b = plat_alloc(sizeof *b + size);
    if (!b)
        return NULL;
    __builtin_memset(b, 0, sizeof *b + size);
    b->size = size;
    b->next = &h->head;
    b->prev = h->head.prev;
    h->head.prev->next = b;
    h->head.prev = b;
    h->used_bytes += size;
    h->live_blocks++;
    return b;
}

void exheap_free(exheap *h, xblock *b)
{
    b->prev->next = b->next;
    b->next->prev = b->prev;
    h->used_bytes -= b->size;
    h->live_blocks--;
    plat_free(b);
}
