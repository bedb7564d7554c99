/* Internal to netchan/zmtp: the byte-level pieces of ZMTP 3.1 -- a growable byte buffer,
 * big-endian integers, and encoders for the greeting, frame headers and commands. The
 * connection state machine (zmtp_conn.c) builds its output with these. */
#ifndef NETCHAN_ZMTP_ZMTP_WIRE_H
#define NETCHAN_ZMTP_ZMTP_WIRE_H

#include "netchan/zmtp/zmtp.h"

#define ZMTP_GREETING_LEN   64
#define ZMTP_SIGNATURE_LEN  10

/* Frame flag bits. */
#define ZMTP_FLAG_MORE     0x01
#define ZMTP_FLAG_LONG     0x02
#define ZMTP_FLAG_COMMAND  0x04
#define ZMTP_FLAG_RESERVED 0xF8

/* strlen without libc (rt.h promises only the mem* functions on every platform). */
static inline size_t zmtp_cstrlen(const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    return n;
}

/* Bytes with a read offset: data[start .. start+len) is live. */
typedef struct {
    uint8_t *data;
    size_t   start, len, cap;
} zmtp_buf;

bool zmtp_buf_put(zmtp_buf *b, const void *p, size_t n);
bool zmtp_buf_put_byte(zmtp_buf *b, uint8_t v);
void zmtp_buf_drop(zmtp_buf *b, size_t n);   /* forget the first n live bytes */
void zmtp_buf_free(zmtp_buf *b);

static inline void zmtp_put_be16(uint8_t *p, uint16_t v) { p[0] = v >> 8; p[1] = v; }
static inline void zmtp_put_be32(uint8_t *p, uint32_t v)
{
    p[0] = v >> 24; p[1] = v >> 16; p[2] = v >> 8; p[3] = v;
}
static inline uint16_t zmtp_get_be16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static inline uint32_t zmtp_get_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static inline uint64_t zmtp_get_be64(const uint8_t *p)
{
    return (uint64_t)zmtp_get_be32(p) << 32 | zmtp_get_be32(p + 4);
}

/* Our 64-byte greeting: version 3.1, NULL mechanism, the as-server bit. */
bool zmtp_put_greeting(zmtp_buf *b, bool as_server);
/* A frame header for a body of len bytes with the given flags (LONG is added as needed). */
bool zmtp_put_frame_header(zmtp_buf *b, uint8_t flags, uint64_t len);
/* A whole data frame. */
bool zmtp_put_frame(zmtp_buf *b, const void *data, size_t len, bool more);
/* READY with Socket-Type and (when identity_len > 0) Identity. */
bool zmtp_put_ready(zmtp_buf *b, zmtp_socket_type type, const uint8_t *identity, size_t identity_len);
bool zmtp_put_error(zmtp_buf *b, const char *reason);
bool zmtp_put_ping(zmtp_buf *b, uint16_t ttl_ds, const void *ctx, size_t ctx_len);
bool zmtp_put_pong(zmtp_buf *b, const void *ctx, size_t ctx_len);

#endif
