/* netchan internals shared by its files: peers (links), channel-end records with their
 * resend buffers, forwarding entries, the node object, and the helpers each file offers. */
#ifndef NETCHAN_NC_IMPL_H
#define NETCHAN_NC_IMPL_H

#include "netchan/netchan.h"
#include "netchan/proto/node.pb-c.h"
#include "node-kernel/core/channel.h"
#include "node-kernel/core/proc.h"

#define NC_ID_MAX    64
#define NC_ADDR_MAX  128
#define NC_MAX_DEPTH 4            /* endpoints nested inside queued messages */
#define NC_FWD_MAX   1024         /* forwarding entries; past it the oldest is dropped (logged) */
#define NC_FWD_MAX_NS (600ull * 1000000000ull)   /* safety bound on an unconfirmed route */
#define NC_HELD_MAX  512          /* frames held past a gap per channel end */
#define NC_WINDOW_FRAMES 512      /* unacknowledged frames per channel end before sends wait */
#define NC_WINDOW_BYTES  (8u << 20)
#define NC_ACK_EVERY     128      /* frames taken before an ack goes out even while busy */

/* A sequenced frame (data or close) kept until the peer acknowledges it. */
typedef struct nc_frame {
    struct nc_frame *next;
    uint64_t seq;
    bool is_close;
    size_t len;
    uint8_t *buf;                 /* a packed NodeEnvelope */
} nc_frame;

/* A frame that arrived past a gap (an earlier one was lost): held until the gap fills. */
typedef struct nc_held {
    struct nc_held *next;
    uint64_t seq;
    struct nc_peer *from;
    size_t len;
    uint8_t buf[];                /* the packed NodeEnvelope as received */
} nc_held;

/* Another node and our link to it. */
typedef struct nc_peer {
    struct nc_peer *next;
    char id[NC_ID_MAX];
    char addr[NC_ADDR_MAX];       /* "" until known */
    void *dealer;                 /* our DEALER connected to its ROUTER */
    uint64_t boot_id;             /* from its Hello; 0 = not seen */
    uint64_t last_heard_ns, last_hb_ns;
    uint64_t frames_out;          /* for fault injection */
    uint64_t data_out;
    bool dead;
} nc_peer;

/* One local channel end whose peer is on another node. `proxy` is the local endpoint
 * that stands for the far end: local->peer == proxy, proxy->peer == local. */
typedef struct nc_end {
    struct nc_end *next;
    uint64_t chan;
    uint8_t side;                 /* the local end's side (CONTRACT_IMP / CONTRACT_EXP) */
    endpoint *local, *proxy;      /* local = NULL once the local end closed */
    const contract *c;
    nc_peer *peer;                /* where the far end lives */
    uint64_t peer_epoch, my_epoch;
    uint64_t next_send_seq;       /* seq of our next sequenced frame */
    uint64_t recv_seq;            /* highest contiguous seq received */
    uint64_t acked_seq;           /* the highest recv_seq we acknowledged (alone or on data) */
    nc_frame *uh, *ut;            /* unacknowledged frames, in seq order */
    uint32_t nunacked;
    uint64_t unacked_bytes;
    uint64_t last_send_ns;        /* the resend timer runs from here */
    uint64_t rto_ns;              /* current resend timeout (0 = the base): doubles on each
                                   * expiry, back to the base when an ack makes progress */
    uint32_t dup_acks;            /* explicit acks in a row that acknowledged nothing new */
    uint64_t fast_seq;            /* the frame last resent on duplicate acks (once per hole) */
    nc_held *held;                /* received past a gap, by seq */
    uint32_t nheld;
    bool ack_due;
    bool local_closed;            /* our close is queued: free once everything is acked */
} nc_end;

/* Traffic for an end that moved away goes to its new node until the route is acked. */
typedef struct nc_fwd {
    struct nc_fwd *next;
    uint64_t chan;
    uint8_t side;
    nc_peer *to;
    uint64_t epoch;
    uint64_t since_ns;            /* kept until a RouteAck confirms the route (see route.c) */
} nc_fwd;

struct nc_node {
    kernel *k;
    nc_options o;
    char id[NC_ID_MAX];
    char addr[NC_ADDR_MAX];
    uint64_t boot_id;
    void *zctx, *router;
    int rcvtimeo;                     /* the ROUTER's current ZMQ_RCVTIMEO */
    nc_peer *peers;
    nc_end *ends;
    nc_fwd *fwds;
    uint64_t chan_hi, chan_counter;   /* ids of channels this node splits across nodes */
    uint64_t last_timers_ns;
    nc_stats st;
    /* both ends of one channel arriving in one message: the first waits here for its
     * mate while the message is rebuilt (marshal.c) */
    endpoint *pair_wait[8];
    uint64_t pair_chan[8];
    uint32_t npair, unmarshal_depth;
    /* received envelopes are unpacked into this region (reset after each one) */
    uint8_t *rx_region;
    size_t rx_used, rx_size;
};

/* small arena for building protobuf structures: everything freed at once */
typedef struct nc_arena {
    _Alignas(16) uint8_t small[3072]; /* small allocations are bumped from here */
    size_t used;
    void **p;                         /* the rest is malloc'd and listed */
    uint32_t n, cap;
    Netchan__NodeEnvelope **envs;     /* unpacked envelopes to free with the arena */
    uint32_t nenvs;
    exheap *heap;                     /* blocks whose bytes a frame points at: freed */
    xblock **blocks;                  /* from the heap once the frame is packed */
    uint32_t nblocks;
} nc_arena;
void *ar_alloc(nc_arena *a, size_t size);     /* zeroed; aborts on OOM */
char *ar_strdup(nc_arena *a, const char *s);
void  ar_keep(nc_arena *a, void *p);          /* free p with the arena */
void  ar_keep_env(nc_arena *a, Netchan__NodeEnvelope *env);
void  ar_keep_block(nc_arena *a, exheap *heap, xblock *b);
void  ar_free(nc_arena *a);
void  ar_init(nc_arena *a);       /* no need to clear the inline buffer */
/* protobuf-c allocator over the node's receive region */
extern ProtobufCAllocator nc_rx_allocator(nc_node *n);

/* node.c */
void nc_log(nc_node *n, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
uint64_t nc_now(void);
static inline int nc_wire_side(uint8_t side) { return side == CONTRACT_IMP ? NETCHAN__SIDE__SIDE_IMP : NETCHAN__SIDE__SIDE_EXP; }
static inline int nc_local_side(int wire) { return wire == NETCHAN__SIDE__SIDE_IMP ? CONTRACT_IMP : wire == NETCHAN__SIDE__SIDE_EXP ? CONTRACT_EXP : -1; }
void nc_check(nc_node *n, const char *where);
bool nc_acks_due(const nc_node *n);
void nc_flush_overdue(nc_node *n);    /* only acks for ends that took NC_ACK_EVERY frames */

/* link.c: peers and frames */
nc_peer *nc_peer_find(nc_node *n, const char *id);
nc_peer *nc_peer_get(nc_node *n, const char *id, const char *addr);   /* find or add */
void nc_peer_connect(nc_node *n, nc_peer *p);
void nc_link_send(nc_node *n, nc_peer *p, const uint8_t *buf, size_t len, bool is_data);
/* Pack env (from_node filled in) and send it; returns 0 or -1. */
int nc_send_env(nc_node *n, nc_peer *p, Netchan__NodeEnvelope *env);
uint8_t *nc_pack_env(nc_node *n, Netchan__NodeEnvelope *env, size_t *len);
void nc_send_hello(nc_node *n, nc_peer *p);
void nc_link_reset(nc_node *n, nc_peer *p);
int nc_link_recv_all(nc_node *n, int timeout_ms);
void nc_link_close_all(nc_node *n);

/* ends.c: channel-end records, sequencing, acks, closes */
nc_end *nc_end_find(nc_node *n, uint64_t chan, uint8_t side);
nc_end *nc_end_new(nc_node *n, endpoint *local, endpoint *proxy, uint64_t chan, nc_peer *peer);
extern const endpoint_remote nc_proxy_ops;
void nc_end_push_frame(nc_node *n, nc_end *e, uint64_t seq, bool is_close, uint8_t *buf, size_t len);
/* explicit: a ChannelAck (not an ack riding on data), so a repeat counts as a duplicate */
void nc_end_ack(nc_node *n, nc_end *e, uint64_t seq, bool explicit_ack);
void nc_end_resend(nc_node *n, nc_end *e);          /* everything unacked: new route, Hello */
void nc_end_timeout(nc_node *n, nc_end *e);         /* the resend timer expired */
bool nc_end_hold(nc_node *n, nc_end *e, nc_peer *from, uint64_t seq, const uint8_t *buf, size_t len);
void nc_held_replay(nc_node *n);                    /* dispatch held frames whose gap filled */
void nc_end_local_gone(nc_node *n, nc_end *e, int reason, const char *detail);
void nc_end_remote_gone(nc_node *n, nc_end *e, int reason, const char *detail);
void nc_end_free(nc_node *n, nc_end *e);
void nc_send_ack(nc_node *n, nc_end *e);
void nc_send_close_oob(nc_node *n, nc_peer *p, const Netchan__EndRef *to, int reason, const char *detail);

/* marshal.c: kernel messages <-> ChannelMessage, endpoints <-> EndpointState */
int nc_marshal_msg(nc_node *n, message *m, const contract *c, nc_peer *dest,
                   Netchan__ChannelMessage *cm, nc_arena *ar, int depth);
int nc_check_msg(nc_node *n, const contract *c, int sender_side, const Netchan__ChannelMessage *cm,
                 int depth, char *why, size_t whylen);
message *nc_unmarshal_msg(nc_node *n, const Netchan__ChannelMessage *cm, nc_peer *from,
                          char *why, size_t whylen);
const contract *nc_find_contract(nc_node *n, const char *name, uint64_t fingerprint);
endpoint *nc_new_endpoint(nc_node *n, const contract *c, uint8_t side);

/* dispatch.c */
void nc_dispatch_env(nc_node *n, nc_peer *from, const uint8_t *buf, size_t len);

/* route.c */
nc_fwd *nc_fwd_find(nc_node *n, uint64_t chan, uint8_t side);
void nc_fwd_add(nc_node *n, uint64_t chan, uint8_t side, nc_peer *to, uint64_t epoch);
void nc_fwd_remove(nc_node *n, nc_fwd *f);                     /* the route is confirmed */
void nc_fwd_drop(nc_node *n, nc_fwd *f, const char *why);       /* unconfirmed: logged */
void nc_fwd_expire(nc_node *n, uint64_t now);
void nc_send_route_update(nc_node *n, nc_end *e, nc_peer *to, nc_peer *previous, uint64_t prev_epoch);
void nc_on_route_update(nc_node *n, nc_peer *from, const Netchan__RouteUpdate *ru);
void nc_on_route_ack(nc_node *n, const Netchan__RouteAck *ra);

/* park.c: frames for ends not here yet */
bool nc_park(nc_node *n, nc_peer *from, uint64_t chan, uint8_t side, const uint8_t *buf, size_t len);
void nc_park_run(nc_node *n);
void nc_park_clear(void);

/* timers.c */
void nc_timers(nc_node *n);
void nc_peer_dead(nc_node *n, nc_peer *p, const char *why);

#endif
