/* ZMTP 3.1 encoders: the growable output buffer, the greeting, frame headers and the
 * command frames we send (READY, ERROR, PING, PONG). Nothing here reads peer input. */
#include "netchan/zmtp/zmtp_wire.h"

static bool reserve(zmtp_buf *b, size_t extra)
{
    if (b->start > 0 && b->start + b->len + extra > b->cap) {
        /* slide live bytes to the front before growing */
        rt_memmove(b->data, b->data + b->start, b->len);
        b->start = 0;
    }
    size_t need = b->len + extra;
    if (need < b->len)
        return false;                           /* overflow */
    if (need <= b->cap)
        return true;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < need) {
        if (cap > SIZE_MAX / 2)
            return false;
        cap *= 2;
    }
    uint8_t *p = rt_realloc(b->data, cap);
    if (!p)
        return false;
    b->data = p;
    b->cap = cap;
    return true;
}

bool zmtp_buf_put(zmtp_buf *b, const void *p, size_t n)
{
    if (n == 0)
        return true;
    if (!reserve(b, n))
        return false;
    rt_memcpy(b->data + b->start + b->len, p, n);
    b->len += n;
    return true;
}

bool zmtp_buf_put_byte(zmtp_buf *b, uint8_t v)
{
    return zmtp_buf_put(b, &v, 1);
}

void zmtp_buf_drop(zmtp_buf *b, size_t n)
{
    if (n >= b->len) {
        b->start = b->len = 0;
        return;
    }
    b->start += n;
    b->len -= n;
}

void zmtp_buf_free(zmtp_buf *b)
{
    rt_free(b->data);
    b->data = 0;
    b->start = b->len = b->cap = 0;
}

bool zmtp_put_greeting(zmtp_buf *b, bool as_server)
{
    uint8_t g[ZMTP_GREETING_LEN];
    rt_memset(g, 0, sizeof g);
    g[0] = 0xFF;          /* signature: 0xFF, 8 padding bytes, 0x7F */
    g[8] = 0x01;          /* padding as a 1.0 length of 1, which older peers expect */
    g[9] = 0x7F;
    g[10] = 3;            /* version 3.1 */
    g[11] = 1;
    rt_memcpy(g + 12, "NULL", 4);  /* mechanism, NUL-padded to 20 bytes */
    g[32] = as_server ? 1 : 0;
    return zmtp_buf_put(b, g, sizeof g);
}

bool zmtp_put_frame_header(zmtp_buf *b, uint8_t flags, uint64_t len)
{
    uint8_t h[9];
    if (len <= 255) {
        h[0] = flags & ~ZMTP_FLAG_LONG;
        h[1] = (uint8_t)len;
        return zmtp_buf_put(b, h, 2);
    }
    h[0] = flags | ZMTP_FLAG_LONG;
    zmtp_put_be32(h + 1, (uint32_t)(len >> 32));
    zmtp_put_be32(h + 5, (uint32_t)len);
    return zmtp_buf_put(b, h, 9);
}

bool zmtp_put_frame(zmtp_buf *b, const void *data, size_t len, bool more)
{
    return zmtp_put_frame_header(b, more ? ZMTP_FLAG_MORE : 0, len) &&
           zmtp_buf_put(b, data, len);
}

/* A command frame starts with the name's length and the name. */
static bool put_command_start(zmtp_buf *b, const char *name, size_t body_len)
{
    size_t name_len = zmtp_cstrlen(name);
    return zmtp_put_frame_header(b, ZMTP_FLAG_COMMAND, 1 + name_len + body_len) &&
           zmtp_buf_put_byte(b, (uint8_t)name_len) &&
           zmtp_buf_put(b, name, name_len);
}

static size_t property_size(const char *name, size_t value_len)
{
    return 1 + zmtp_cstrlen(name) + 4 + value_len;
}

static bool put_property(zmtp_buf *b, const char *name, const void *value, size_t value_len)
{
    uint8_t vlen[4];
    size_t name_len = zmtp_cstrlen(name);
    zmtp_put_be32(vlen, (uint32_t)value_len);
    return zmtp_buf_put_byte(b, (uint8_t)name_len) && zmtp_buf_put(b, name, name_len) &&
           zmtp_buf_put(b, vlen, 4) && zmtp_buf_put(b, value, value_len);
}

bool zmtp_put_ready(zmtp_buf *b, zmtp_socket_type type, const uint8_t *identity, size_t identity_len)
{
    const char *tname = zmtp_socket_type_name(type);
    size_t tlen = zmtp_cstrlen(tname);
    size_t body = property_size("Socket-Type", tlen);
    if (identity_len > 0)
        body += property_size("Identity", identity_len);
    return put_command_start(b, "READY", body) &&
           put_property(b, "Socket-Type", tname, tlen) &&
           (identity_len == 0 || put_property(b, "Identity", identity, identity_len));
}

bool zmtp_put_error(zmtp_buf *b, const char *reason)
{
    size_t len = reason ? zmtp_cstrlen(reason) : 0;
    if (len > ZMTP_MAX_REASON)
        len = ZMTP_MAX_REASON;
    return put_command_start(b, "ERROR", 1 + len) &&
           zmtp_buf_put_byte(b, (uint8_t)len) && zmtp_buf_put(b, reason, len);
}

bool zmtp_put_ping(zmtp_buf *b, uint16_t ttl_ds, const void *ctx, size_t ctx_len)
{
    uint8_t ttl[2];
    zmtp_put_be16(ttl, ttl_ds);
    return put_command_start(b, "PING", 2 + ctx_len) &&
           zmtp_buf_put(b, ttl, 2) && zmtp_buf_put(b, ctx, ctx_len);
}

bool zmtp_put_pong(zmtp_buf *b, const void *ctx, size_t ctx_len)
{
    return put_command_start(b, "PONG", ctx_len) && zmtp_buf_put(b, ctx, ctx_len);
}
