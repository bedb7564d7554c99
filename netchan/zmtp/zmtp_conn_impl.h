/* Internal to netchan/zmtp: the connection object shared by the byte parser
 * (zmtp_conn.c) and the command handlers (zmtp_commands.c). */
#ifndef NETCHAN_ZMTP_ZMTP_CONN_IMPL_H
#define NETCHAN_ZMTP_ZMTP_CONN_IMPL_H

#include "netchan/zmtp/zmtp_wire.h"

#define ZMTP_EVQ_CAP          16       /* event ring size */
#define ZMTP_EVQ_FEED_LIMIT   (ZMTP_EVQ_CAP - 2)   /* feed pauses here; room stays for errors */
#define ZMTP_MAX_COMMAND_SIZE 65536    /* largest command frame we accept */

enum zmtp_rx_state { RX_GREETING, RX_FLAGS, RX_SIZE, RX_BODY };
enum zmtp_phase { PH_GREETING, PH_HANDSHAKE, PH_OPEN, PH_CLOSED };

struct zmtp_conn {
    zmtp_config cfg;
    uint8_t     identity[ZMTP_MAX_IDENTITY];        /* our identity (cfg.identity points here) */

    enum zmtp_phase    phase;
    enum zmtp_rx_state rx;
    uint8_t  greeting[ZMTP_GREETING_LEN];
    size_t   greeting_got;
    int      peer_minor;

    /* the frame being received */
    uint8_t  flags;
    uint8_t  size_bytes[8];
    size_t   size_got, size_need;
    uint64_t frame_len;
    uint8_t *body;
    size_t   body_got;

    /* the message being assembled from frames */
    zmtp_frame *parts;
    size_t      nparts, parts_cap, msg_bytes;

    zmtp_event events[ZMTP_EVQ_CAP];
    size_t     ev_head, ev_count;

    zmtp_buf out;      /* bytes for the wire */
    zmtp_buf held;     /* messages sent before the handshake finished */

    zmtp_socket_type peer_type;
    uint8_t  peer_identity[ZMTP_MAX_IDENTITY];
    size_t   peer_identity_len;
    char     reason[ZMTP_MAX_REASON + 64];

    /* REP: envelope of the request being answered */
    zmtp_frame *envelope;
    size_t      nenvelope;

    /* heartbeats */
    bool     clock_started, rx_seen;
    uint64_t last_rx_ms, last_ping_ms;
    uint32_t peer_ttl_ms;
};

/* Ends the connection with err; detail (may be NULL) is appended to the reason text. */
void zmtp_fail(zmtp_conn *c, zmtp_error err, const char *detail);
/* A fresh event slot at the tail of the ring (the ring never overflows: see limits). */
zmtp_event *zmtp_push_event(zmtp_conn *c, zmtp_event_type type);
/* Handles one complete command frame body received from the peer. */
void zmtp_handle_command(zmtp_conn *c, const uint8_t *body, size_t len);
/* Frees frames [0, n) of an array and the array. */
void zmtp_free_frames(zmtp_frame *frames, size_t n);

#endif
