/* The exchange heap: blocks of bytes that move between SIPs. Each live block has exactly
 * one owner at any instant -- a SIP's handle table or a message in flight -- recorded in
 * the block itself so the kernel can check the invariant and reclaim everything a dead SIP
 * held. The heap only allocates, frees and accounts; ownership moves are done by the
 * handle table (handles.c) and the channel layer (channel.c). */
#ifndef NODE_KERNEL_CORE_EXHEAP_H
#define NODE_KERNEL_CORE_EXHEAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Who holds a block (or an endpoint): the owner pointer's type depends on this. */
typedef enum {
    OWNER_NONE = 0,               /* being created or destroyed */
    OWNER_TABLE,                  /* a handle table (owner = handle_table*, slot = index) */
    OWNER_MESSAGE,                /* a message in flight (owner = message*, slot = handle slot) */
    OWNER_KERNEL,                 /* held by the node itself (wiring, netchan proxy) */
} owner_kind;

typedef struct owner_ref {
    uint8_t kind;                 /* owner_kind */
    uint32_t slot;
    void *owner;
} owner_ref;

typedef struct xblock {
    struct xblock *prev, *next;   /* the heap's list of live blocks */
    owner_ref own;
    uint32_t size;
    uint8_t data[];
} xblock;

typedef struct exheap {
    xblock head;                  /* sentinel of the live list */
    uint64_t used_bytes;          /* sum of live block sizes */
    uint64_t live_blocks;
    uint64_t max_bytes;           /* whole-node cap; 0 = no cap */
    uint32_t max_block;           /* largest single block */
} exheap;

#define EXHEAP_DEFAULT_MAX_BLOCK (16u << 20)

void    exheap_init(exheap *h, uint64_t max_bytes);
/* Release every block still live (node shutdown). */
void    exheap_destroy(exheap *h);
/* A zeroed block with no owner yet, or NULL (size too big, node cap, no memory). */
xblock *exheap_alloc(exheap *h, uint32_t size);
void    exheap_free(exheap *h, xblock *b);

#endif
