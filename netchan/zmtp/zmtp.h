/* ZMTP 3.1 (ZeroMQ Message Transport Protocol) as a sans-I/O connection object.
 *
 * The connection never touches a socket or a clock. The platform feeds it the bytes
 * it received (zmtp_feed), pulls the events they produced (zmtp_next_event), asks it
 * for bytes to transmit (zmtp_output / zmtp_consumed) and tells it the time now and
 * then (zmtp_tick) so that heartbeats work. The same code runs over a POSIX socket
 * (zmtp_posix.h) and over an lwIP TCP connection in the bare-metal kernel, so it uses
 * nothing beyond sips/engine/rt.h.
 *
 * Supported: greeting with the NULL security mechanism (we speak 3.1 and accept 3.0
 * peers), READY with Socket-Type and Identity, ERROR, PING/PONG heartbeats with TTL and
 * context, short and long frames, multipart messages. Everything from the peer is
 * validated; any violation ends the connection with a ZMTP_EV_ERROR event, never a
 * crash. One connection is one peer: a ROUTER that talks to many peers owns many
 * connections and prefixes messages with the peer identity itself. REQ and REP handle
 * the empty delimiter frame for the caller (see docs/zmtp.md). */
#ifndef NETCHAN_ZMTP_ZMTP_H
#define NETCHAN_ZMTP_ZMTP_H

#include "sips/engine/rt.h"

typedef enum {
    ZMTP_PAIR, ZMTP_PUB, ZMTP_SUB, ZMTP_REQ, ZMTP_REP, ZMTP_DEALER,
    ZMTP_ROUTER, ZMTP_PULL, ZMTP_PUSH, ZMTP_XPUB, ZMTP_XSUB,
    ZMTP_SOCKET_TYPE_COUNT
} zmtp_socket_type;

/* Why a connection ended (ZMTP_EV_ERROR) or why a call was refused. */
typedef enum {
    ZMTP_OK = 0,
    ZMTP_E_NOMEM,          /* allocation failed */
    ZMTP_E_SIGNATURE,      /* peer greeting does not start with the ZMTP signature */
    ZMTP_E_VERSION,        /* peer speaks a ZMTP older than 3.0 */
    ZMTP_E_MECHANISM,      /* peer wants a security mechanism other than NULL */
    ZMTP_E_FRAME,          /* malformed frame header (reserved flag bits, bad size) */
    ZMTP_E_TOO_BIG,        /* message or command larger than the configured maximum */
    ZMTP_E_COMMAND,        /* malformed command body */
    ZMTP_E_UNEXPECTED,     /* a frame that is not allowed at this point of the protocol */
    ZMTP_E_SOCKET_TYPE,    /* missing, unknown or incompatible peer Socket-Type */
    ZMTP_E_PEER_ERROR,     /* the peer sent an ERROR command */
    ZMTP_E_TIMEOUT,        /* heartbeat: peer silent for longer than allowed */
    ZMTP_E_CLOSED,         /* connection already ended */
    ZMTP_E_NOT_READY,      /* operation needs a finished handshake */
    ZMTP_E_ARG,            /* invalid argument from the caller */
    ZMTP_E_BACKLOG,        /* output buffer full: drain zmtp_output first */
} zmtp_error;

typedef enum {
    ZMTP_EV_GREETING = 1,  /* peer greeting accepted: peer_minor, peer_as_server */
    ZMTP_EV_READY,         /* handshake done: peer_type, identity, peer_minor */
    ZMTP_EV_MESSAGE,       /* a complete message: msg (owned by the caller) */
    ZMTP_EV_PING,          /* peer sent PING (PONG already queued): ttl_ms, context */
    ZMTP_EV_PONG,          /* peer answered our PING: context */
    ZMTP_EV_ERROR,         /* connection over: err, reason (peer ERROR text if any) */
} zmtp_event_type;

/* One frame of a received message; data is owned by the message. */
typedef struct {
    uint8_t *data;
    size_t   len;
} zmtp_frame;

typedef struct {
    zmtp_frame *frames;
    size_t      nframes;
} zmtp_msg;

/* One frame to send (borrowed; copied into the output buffer). */
typedef struct {
    const void *data;
    size_t      len;
} zmtp_iov;

#define ZMTP_MAX_PING_CONTEXT 16
#define ZMTP_MAX_IDENTITY     255
#define ZMTP_MAX_REASON       255

typedef struct {
    zmtp_event_type type;
    /* ZMTP_EV_GREETING */
    bool peer_as_server;
    /* ZMTP_EV_READY (and GREETING: peer_minor) */
    zmtp_socket_type peer_type;
    const uint8_t *identity;       /* peer Identity property (points into the connection) */
    size_t         identity_len;
    int            peer_minor;     /* 0 or 1: ZMTP 3.0 or 3.1 peer */
    /* ZMTP_EV_MESSAGE: caller owns and frees with zmtp_msg_free */
    zmtp_msg msg;
    /* ZMTP_EV_PING / ZMTP_EV_PONG */
    uint32_t ttl_ms;
    uint8_t  context[ZMTP_MAX_PING_CONTEXT];
    size_t   context_len;
    /* ZMTP_EV_ERROR */
    zmtp_error  err;
    const char *reason;            /* NUL-terminated, valid while the connection lives */
} zmtp_event;

typedef struct {
    zmtp_socket_type type;
    const uint8_t *identity;       /* our Identity property (REQ/DEALER/ROUTER), may be NULL */
    size_t identity_len;           /* at most ZMTP_MAX_IDENTITY */
    bool   as_server;              /* the greeting's as-server bit */
    size_t max_msg_size;           /* 0: default 16 MiB; bound on one message's bytes */
    size_t max_frames;             /* 0: default 4096 frames in one message */
    size_t max_output;             /* 0: default 64 MiB of unsent output */
    uint32_t heartbeat_ivl_ms;     /* 0: never PING; else PING after this much quiet */
    uint32_t heartbeat_ttl_ms;     /* TTL we announce in PING (0: none) */
    uint32_t heartbeat_timeout_ms; /* 0: no timeout; else peer silent this long -> error */
} zmtp_config;

typedef struct zmtp_conn zmtp_conn;

/* A new connection; its greeting is queued in the output at once. NULL if out of memory
 * or the config is invalid. */
zmtp_conn *zmtp_conn_new(const zmtp_config *cfg);
void zmtp_conn_free(zmtp_conn *c);

/* Parses received bytes and returns how many it consumed. It stops early when its event
 * queue is full: drain events with zmtp_next_event and feed the rest. After the
 * connection ended it discards everything (returns n). */
size_t zmtp_feed(zmtp_conn *c, const uint8_t *data, size_t n);

/* Pops the next event into *ev; returns false when there is none. */
bool zmtp_next_event(zmtp_conn *c, zmtp_event *ev);

/* Queues one message (nframes >= 1). Before the handshake finishes it is held back and
 * sent right after it. REQ adds the empty delimiter; REP adds the envelope of the last
 * request. Returns ZMTP_OK or an error (the connection is unchanged on error). */
zmtp_error zmtp_send(zmtp_conn *c, const zmtp_iov *frames, size_t nframes);

/* Sends PING with our heartbeat TTL and the given context (<= 16 bytes); needs a 3.1 peer. */
zmtp_error zmtp_send_ping(zmtp_conn *c, const void *context, size_t len);

/* Queues an ERROR command with the reason (truncated to 255 bytes) and ends the
 * connection; flush the output, then close the transport. */
void zmtp_send_error(zmtp_conn *c, const char *reason);

/* Bytes waiting to be transmitted: *data and *len stay valid until the next call into the
 * connection. zmtp_consumed drops the first n of them once they were written. */
void zmtp_output(zmtp_conn *c, const uint8_t **data, size_t *len);
void zmtp_consumed(zmtp_conn *c, size_t n);

/* Heartbeat clock: call with a monotonic time in milliseconds at least as often as the
 * value it returns (ms until it next needs a call; UINT32_MAX if never). */
uint32_t zmtp_tick(zmtp_conn *c, uint64_t now_ms);

bool zmtp_is_ready(const zmtp_conn *c);   /* handshake done and not ended */
bool zmtp_is_closed(const zmtp_conn *c);  /* ended: error, timeout or ERROR */

void zmtp_msg_free(zmtp_msg *m);

const char *zmtp_socket_type_name(zmtp_socket_type t);
/* Parses a socket type name (exact, as on the wire); returns false if unknown. */
bool zmtp_socket_type_parse(const uint8_t *name, size_t len, zmtp_socket_type *out);
bool zmtp_socket_types_compatible(zmtp_socket_type a, zmtp_socket_type b);
const char *zmtp_strerror(zmtp_error e);

#endif
