/* A SIP's handle table: the only way a SIP reaches exchange-heap blocks and channel
 * endpoints. A handle is a generation-tagged index (generation << 16 | slot), so a stale
 * handle (sent, freed) or a made-up number never matches a live entry. The table also
 * enforces the SIP's quotas: number of handles and bytes of blocks held. */
#ifndef NODE_KERNEL_CORE_HANDLES_H
#define NODE_KERNEL_CORE_HANDLES_H

#include "node-kernel/core/exheap.h"

typedef enum { HK_FREE = 0, HK_BLOCK = 1, HK_ENDPOINT = 2 } handle_kind;

typedef struct hentry {
    uint16_t gen;                 /* bumped on every release; never 0 */
    uint8_t kind;                 /* handle_kind */
    uint32_t next_free;           /* free list link (kind == HK_FREE) */
    void *obj;                    /* xblock* or endpoint* */
    owner_ref *own;               /* the object's owner record (points back here) */
    uint32_t bytes;               /* bytes charged to the quota for this entry */
} hentry;

typedef struct handle_table {
    hentry *e;
    uint32_t cap, count;
    uint32_t free_head;           /* UINT32_MAX = none */
    uint32_t max_handles;
    uint64_t bytes, max_bytes;    /* exchange-heap bytes held, and the quota */
    void *sip;                    /* the SIP this table belongs to (struct sip*) */
} handle_table;

#define HANDLE_MAX_SLOTS 0xFFFFu

void htab_init(handle_table *t, void *sip, uint32_t max_handles, uint64_t max_bytes);
void htab_destroy(handle_table *t);    /* the entries must have been released */

/* Put obj in the table (taking ownership: *own is set to this table); returns the handle
 * or SIP_EQUOTA / SIP_ENOMEM. `bytes` is charged to the byte quota. */
int32_t htab_put(handle_table *t, handle_kind kind, void *obj, owner_ref *own, uint32_t bytes);
/* true if a put of `bytes` more bytes and `n` more handles would fit the quotas */
bool htab_fits(const handle_table *t, uint32_t n, uint64_t bytes);
/* The object behind a live handle of that kind, or NULL (forged, stale or wrong kind). */
void *htab_get(const handle_table *t, int32_t h, handle_kind kind);
/* Kind of a live handle, HK_FREE if not live. */
handle_kind htab_kind(const handle_table *t, int32_t h);
/* Remove a live handle, returning its object (its owner becomes OWNER_NONE) or NULL. */
void *htab_take(handle_table *t, int32_t h, handle_kind kind);
/* The live handle at slot i (for iteration), or -1. */
int32_t htab_handle_at(const handle_table *t, uint32_t i);

#endif
