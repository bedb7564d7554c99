/* Channels: a pair of endpoints (imp, exp) created together with a contract. Each endpoint
 * holds the FIFO queue of messages sent to it, its own contract state, and its owner (a
 * SIP's handle table, a message in flight, or the kernel). Sending an endpoint in a message
 * moves the endpoint object itself -- with its contract state and queued messages.
 *
 * Two paths are deliberately small functions that netchan hooks for endpoints whose peer
 * lives on another node: chan_deliver() (a message arrives at an endpoint) and
 * chan_peer_closed() (the far end went away). An endpoint with `remote` set is a proxy: a
 * message delivered to it is handed to remote->deliver instead of being queued. */
#ifndef NODE_KERNEL_CORE_CHANNEL_H
#define NODE_KERNEL_CORE_CHANNEL_H

#include "node-kernel/core/kernel.h"
#include "sips/sdk/sip.h"

/* What a message carries in a handle slot while in flight. */
typedef struct msg_handle {
    uint8_t kind;                 /* handle_kind: HK_BLOCK or HK_ENDPOINT */
    void *obj;                    /* xblock* or endpoint* (owned by the message) */
} msg_handle;

typedef struct message {
    struct message *next;
    uint32_t tag;
    uint32_t payload_len;
    uint32_t nhandles;
    msg_handle h[SIP_MAX_HANDLES];
    uint8_t payload[];
} message;

struct endpoint;
typedef struct endpoint_remote {
    void (*deliver)(struct endpoint *proxy, message *m, void *arg);  /* takes the message */
    void (*closed)(struct endpoint *proxy, void *arg);               /* local peer closed */
} endpoint_remote;

typedef struct endpoint {
    struct endpoint *prev, *next; /* kernel list */
    kernel *k;
    uint64_t id;
    struct endpoint *peer;        /* NULL once the peer is closed */
    const contract *c;            /* NULL = unchecked channel (kernel-internal use) */
    uint32_t state;               /* this side's contract state */
    uint8_t side;                 /* CONTRACT_IMP or CONTRACT_EXP */
    bool peer_closed;
    owner_ref own;
    message *qhead, *qtail;
    uint32_t qlen;
    const endpoint_remote *remote; void *remote_arg;
    bool remote_full;             /* netchan hook: a proxy with no room now; sends to it
                                     wait as on a full queue until netchan clears it */
    uint32_t mark;                /* reachability sweep */
} endpoint;

/* A new channel; both ends start owned by OWNER_NONE (the caller places them). */
int chan_create(kernel *k, const contract *c, endpoint **imp, endpoint **exp);

/* One endpoint with no peer yet, in the contract's initial state, owned by OWNER_NONE
 * (migration restores endpoints one by one; netchan makes proxies). */
endpoint *chan_endpoint_new(kernel *k, const contract *c, uint8_t side);

/* A message with room for `payload_len` bytes, no handles. */
message *msg_new(uint32_t tag, const void *payload, uint32_t payload_len);
/* Free a message and everything it owns (blocks freed, endpoints closed). */
void msg_free(kernel *k, message *m);
/* Attach an object to the next handle slot of m; the message becomes its owner. */
void msg_add_handle(message *m, uint8_t kind, void *obj, owner_ref *own);

/* A message arrives at `to` (already contract-checked by the sender's side). Takes m. */
void chan_deliver(endpoint *to, message *m);
/* The endpoint's peer is gone: mark it and wake whoever waits on it. */
void chan_peer_closed(endpoint *ep);
/* Close and free an endpoint (its owner has released it): the peer is told, queued
 * messages are freed with everything they own. */
void chan_close(endpoint *ep);

/* Is there something for a receiver to act on (a message, or closed)? */
static inline bool chan_ready(const endpoint *ep) { return ep->qhead || ep->peer_closed; }

/* Wake the SIP that owns ep (if a SIP does and it is blocked). */
void chan_wake_owner(endpoint *ep);

/* Remove the first queued message (NULL if none). */
message *chan_dequeue(endpoint *ep);

/* The owner record of a handle-carried object */
owner_ref *obj_owner(uint8_t kind, void *obj);

/* Free every endpoint no SIP can reach any more (only reachable through messages queued
 * on endpoints that are themselves unreachable). Returns how many were freed. */
uint32_t chan_sweep(kernel *k);

#endif
