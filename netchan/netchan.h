/* netchan: channels whose two ends live on different nodes. A node (nc_node) binds one
 * ZeroMQ ROUTER for incoming links and connects one DEALER (identity = its node id) to
 * each peer node it talks to; every ZMTP message is one netchan.NodeEnvelope
 * (netchan/proto/node.proto). For each channel end whose peer is remote the node keeps a
 * proxy endpoint (the local stand-in for the far end) and a record with per-direction
 * sequence numbers, a resend buffer and the peer's location, so each direction is
 * exactly-once and in order across lost frames and re-established links; heartbeats
 * detect dead nodes, whose channel ends are then closed with a reason.
 *
 * Ownership: a block sent to another node is marshalled and freed from this node's heap
 * at send time; its bytes then live only in the link's resend buffer until the receiver
 * acknowledges. Endpoints sent in a message move with their contract state, queued
 * messages and sequence counters; their peer's node is re-routed (RouteUpdate) and the old
 * node forwards traffic for them until the new route is acknowledged.
 *
 * Design and wire rules: docs/netchan.md, docs/netchan-wire.md. */
#ifndef NETCHAN_NETCHAN_H
#define NETCHAN_NETCHAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "node-kernel/core/kernel.h"

struct sip;
typedef struct nc_node nc_node;

typedef void (*nc_log_fn)(void *arg, const char *line);

typedef struct nc_options {
    const char *node_id;          /* required, < 64 bytes */
    const char *listen;           /* e.g. "tcp://127.0.0.1:5601"; NULL = no transport (fuzzing) */
    uint32_t heartbeat_ms;        /* 0 = 200 */
    uint32_t dead_ms;             /* a peer silent this long is dead; 0 = 3000 */
    uint32_t rto_ms;              /* resend unacknowledged frames after; 0 = 200 */
    uint32_t fault_drop;          /* test only: drop every Nth outgoing data frame */
    uint32_t fault_reset;         /* test only: reset a link every Nth outgoing frame */
    bool check;                   /* run kernel_check() after every step; abort on failure */
    nc_log_fn log; void *log_arg; /* NULL = stderr */
} nc_options;

typedef struct nc_stats {
    uint64_t data_sent;           /* channel messages sent for the first time */
    uint64_t data_delivered;      /* channel messages handed to local endpoints */
    uint64_t duplicates;          /* received again and suppressed */
    uint64_t resent;              /* frames retransmitted */
    uint64_t forwarded;           /* frames forwarded for an end that moved away */
    uint64_t dropped;             /* frames refused (decode, unknown, contract, ...) */
    uint64_t faults_injected;     /* frames dropped or links reset by the fault options */
    uint64_t blocks_out, blocks_in;       /* exchange-heap blocks that left / arrived */
    uint64_t endpoints_out, endpoints_in; /* endpoints that left / arrived */
    uint64_t unacked_frames, unacked_bytes; /* held in resend buffers now */
    uint32_t ends;                /* channel ends with a remote peer now */
    uint32_t forwards;            /* forwarding entries now */
    uint32_t peers_dead;
} nc_stats;

nc_node *nc_new(kernel *k, const nc_options *o, char *err, size_t errlen);
/* Disconnect every proxy from netchan (call before kernel_free) and free the node. */
void nc_free(nc_node *n);

/* Tell the node where a peer listens (peers also learn addresses from Hello/RouteUpdate). */
int nc_add_peer(nc_node *n, const char *node_id, const char *address);

/* Wire a local SIP to one end of a cross-node channel: the SIP gets the end `side`
 * (CONTRACT_IMP / CONTRACT_EXP) of channel `chan` of contract `c` under `bind_name`; the
 * other end lives on `peer_node` (which wires the other side with the same id). */
int nc_wire(nc_node *n, struct sip *s, const char *bind_name, const contract *c,
            uint64_t chan, int side, const char *peer_node, char *err, size_t errlen);

/* Process input for up to timeout_ms (0 = only what is there) and run timers
 * (heartbeats, resends, dead peers). */
void nc_poll(nc_node *n, int timeout_ms);
/* Send the acknowledgements that are due. The run loop calls it after the SIPs ran, so an
 * answer sent meanwhile carries the ack instead (one frame, not two). */
void nc_flush(nc_node *n);
/* Nothing left to do: no remote channel ends, nothing unacknowledged, no forwarding. */
bool nc_quiescent(const nc_node *n);
/* Number of channel ends with a remote peer. */
uint32_t nc_live_ends(const nc_node *n);
void nc_get_stats(const nc_node *n, nc_stats *st);

/* Handle one received envelope as if it came over a link from `from_ident` (the
 * sending node's DEALER identity). The fuzz target drives this directly. */
void nc_dispatch(nc_node *n, const char *from_ident, const uint8_t *buf, size_t len);

/* The hosted main loop with netchan: run SIPs, move frames, sleep in zmq_poll while
 * idle. Returns 0 when every SIP has ended and the node is quiescent (or the drain time
 * passed), 1 if the SIPs left can never be woken. */
int nc_run(kernel *k, nc_node *n, uint32_t drain_ms);

#endif
