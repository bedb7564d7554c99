/* heap.c: a boundary-tag allocator. Every block starts with a 16-byte header holding
 * its size (bit 0 = in use) and the size of the block before it, so free() can merge
 * with both neighbours in O(1). Free blocks sit on one doubly linked list, searched
 * first-fit. A zero-size used header closes the arena. Payloads are 16-byte aligned. */
#include <stdint.h>
#include <string.h>
#include "node-kernel/metal/heap.h"
#include "node-kernel/metal/pmm.h"
#include "node-kernel/metal/x86.h"

struct block {
    size_t size;                /* whole block, header included; bit 0 = used */
    size_t prev_size;           /* 0 for the first block */
    struct block *next_free, *prev_free;    /* only while free */
};

#define HDR 16u
#define MIN_BLOCK 32u

static struct block *free_list;
static size_t arena_bytes, used_bytes;

static size_t bsize(const struct block *b) { return b->size & ~(size_t)1; }
static int    in_use(const struct block *b) { return b->size & 1; }
static struct block *after(struct block *b)  { return (struct block *)((char *)b + bsize(b)); }
static struct block *before(struct block *b) { return b->prev_size ? (struct block *)((char *)b - b->prev_size) : NULL; }

static void list_remove(struct block *b)
{
    if (b->prev_free) b->prev_free->next_free = b->next_free; else free_list = b->next_free;
    if (b->next_free) b->next_free->prev_free = b->prev_free;
}

static void list_push(struct block *b)
{
    b->prev_free = NULL;
    b->next_free = free_list;
    if (free_list) free_list->prev_free = b;
    free_list = b;
}

int heap_init(size_t bytes)
{
    size_t pages = (bytes + PAGE_SIZE - 1) / PAGE_SIZE;
    char *arena = pmm_alloc_pages_uninit(pages);
    if (!arena) return -1;
    arena_bytes = pages * PAGE_SIZE;
    struct block *b = (struct block *)arena;
    b->size = arena_bytes - HDR;
    b->prev_size = 0;
    struct block *end = after(b);
    end->size = 1;              /* sentinel: size 0, used */
    end->prev_size = bsize(b);
    free_list = NULL;
    list_push(b);
    return 0;
}

/* Cut b down to `need` bytes if the rest can stand as a free block. */
static void split(struct block *b, size_t need)
{
    size_t total = bsize(b);
    if (total - need < MIN_BLOCK) return;
    struct block *rest = (struct block *)((char *)b + need);
    rest->size = total - need;
    rest->prev_size = need;
    after(rest)->prev_size = bsize(rest);
    b->size = need | (b->size & 1);
    list_push(rest);
}

static size_t need_for(size_t n)
{
    size_t need = (n + HDR + 15) & ~(size_t)15;
    return need < MIN_BLOCK ? MIN_BLOCK : need;
}

void *heap_alloc(size_t n)
{
    if (n > arena_bytes) return NULL;
    uint64_t flags = irq_save();
    size_t need = need_for(n);
    struct block *b = free_list;
    while (b && bsize(b) < need) b = b->next_free;
    void *p = NULL;
    if (b) {
        list_remove(b);
        b->size |= 1;
        split(b, need);
        used_bytes += bsize(b);
        p = (char *)b + HDR;
    }
    irq_restore(flags);
    return p;
}

void heap_free(void *p)
{
    if (!p) return;
    uint64_t flags = irq_save();
    struct block *b = (struct block *)((char *)p - HDR);
    used_bytes -= bsize(b);
    b->size &= ~(size_t)1;
    struct block *n = after(b);
    if (!in_use(n)) { list_remove(n); b->size += bsize(n); }
    struct block *prev = before(b);
    if (prev && !in_use(prev)) { list_remove(prev); prev->size += bsize(b); b = prev; }
    after(b)->prev_size = bsize(b);
    list_push(b);
    irq_restore(flags);
}

void *heap_realloc(void *p, size_t n)
{
    if (!p) return heap_alloc(n);
    if (!n) { heap_free(p); return NULL; }
    struct block *b = (struct block *)((char *)p - HDR);
    size_t need = need_for(n);
    if (bsize(b) >= need) return p;
    uint64_t flags = irq_save();
    struct block *nx = after(b);
    if (!in_use(nx) && bsize(b) + bsize(nx) >= need) {     /* grow in place */
        list_remove(nx);
        used_bytes += bsize(nx);
        b->size += bsize(nx);
        after(b)->prev_size = bsize(b);
        size_t before_split = bsize(b);
        split(b, need);
        used_bytes -= before_split - bsize(b);
        irq_restore(flags);
        return p;
    }
    irq_restore(flags);
    void *q = heap_alloc(n);
    if (!q) return NULL;
    memcpy(q, p, bsize(b) - HDR);
    heap_free(p);
    return q;
}

size_t heap_used(void) { return used_bytes; }
size_t heap_size(void) { return arena_bytes; }
