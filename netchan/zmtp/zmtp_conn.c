/* The ZMTP 3.1 connection state machine: greeting validation, the incremental frame
 * parser (any split of the input works, one byte at a time included), message assembly
 * with size limits, the event ring, queued output and the heartbeat clock. */
#include "netchan/zmtp/zmtp_conn_impl.h"

#define DEFAULT_MAX_MSG    (16u << 20)
#define DEFAULT_MAX_FRAMES 4096
#define DEFAULT_MAX_OUTPUT (64u << 20)

zmtp_conn *zmtp_conn_new(const zmtp_config *cfg)
{
    if (!cfg || (unsigned)cfg->type >= ZMTP_SOCKET_TYPE_COUNT ||
        cfg->identity_len > ZMTP_MAX_IDENTITY || (cfg->identity_len && !cfg->identity))
        return 0;
    zmtp_conn *c = rt_calloc(sizeof *c);
    if (!c)
        return 0;
    c->cfg = *cfg;
    if (cfg->identity_len)
        rt_memcpy(c->identity, cfg->identity, cfg->identity_len);
    c->cfg.identity = c->identity;
    if (!c->cfg.max_msg_size) c->cfg.max_msg_size = DEFAULT_MAX_MSG;
    if (!c->cfg.max_frames)   c->cfg.max_frames = DEFAULT_MAX_FRAMES;
    if (!c->cfg.max_output)   c->cfg.max_output = DEFAULT_MAX_OUTPUT;
    c->phase = PH_GREETING;
    c->rx = RX_GREETING;
    if (!zmtp_put_greeting(&c->out, cfg->as_server)) {
        rt_free(c);
        return 0;
    }
    return c;
}

void zmtp_free_frames(zmtp_frame *frames, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (frames[i].data)
            rt_free(frames[i].data);
    if (frames)
        rt_free(frames);
}

void zmtp_msg_free(zmtp_msg *m)
{
    if (!m)
        return;
    zmtp_free_frames(m->frames, m->nframes);
    m->frames = 0;
    m->nframes = 0;
}

static void drop_partial(zmtp_conn *c)
{
    zmtp_free_frames(c->parts, c->nparts);
    c->parts = 0;
    c->nparts = c->parts_cap = c->msg_bytes = 0;
    if (c->body)
        rt_free(c->body);
    c->body = 0;
}

void zmtp_conn_free(zmtp_conn *c)
{
    if (!c)
        return;
    zmtp_event ev;
    while (zmtp_next_event(c, &ev))
        if (ev.type == ZMTP_EV_MESSAGE)
            zmtp_msg_free(&ev.msg);
    drop_partial(c);
    zmtp_free_frames(c->envelope, c->nenvelope);
    zmtp_buf_free(&c->out);
    zmtp_buf_free(&c->held);
    rt_free(c);
}

zmtp_event *zmtp_push_event(zmtp_conn *c, zmtp_event_type type)
{
    /* feed pauses at ZMTP_EVQ_FEED_LIMIT and every step adds at most one event plus one
     * error, so the ring cannot overflow; the guard only protects against bugs */
    size_t slot = (c->ev_head + c->ev_count) % ZMTP_EVQ_CAP;
    if (c->ev_count < ZMTP_EVQ_CAP)
        c->ev_count++;
    zmtp_event *ev = &c->events[slot];
    rt_memset(ev, 0, sizeof *ev);
    ev->type = type;
    return ev;
}

bool zmtp_next_event(zmtp_conn *c, zmtp_event *ev)
{
    if (!c || c->ev_count == 0)
        return false;
    *ev = c->events[c->ev_head];
    c->ev_head = (c->ev_head + 1) % ZMTP_EVQ_CAP;
    c->ev_count--;
    return true;
}

static void append(char *dst, size_t cap, const char *s)
{
    size_t n = zmtp_cstrlen(dst);
    while (*s && n + 1 < cap)
        dst[n++] = *s++;
    dst[n] = 0;
}

void zmtp_fail(zmtp_conn *c, zmtp_error err, const char *detail)
{
    if (c->phase == PH_CLOSED)
        return;
    c->phase = PH_CLOSED;
    drop_partial(c);
    c->reason[0] = 0;
    append(c->reason, sizeof c->reason, zmtp_strerror(err));
    if (detail) {
        append(c->reason, sizeof c->reason, ": ");
        append(c->reason, sizeof c->reason, detail);
    }
    zmtp_event *ev = zmtp_push_event(c, ZMTP_EV_ERROR);
    ev->err = err;
    ev->reason = c->reason;
}

/* ---- receiving ---- */

/* Checks the greeting as its bytes arrive, so that garbage is refused at its first byte. */
static void check_greeting(zmtp_conn *c)
{
    const uint8_t *g = c->greeting;
    size_t n = c->greeting_got;
    if (n >= 1 && g[0] != 0xFF) {
        zmtp_fail(c, ZMTP_E_SIGNATURE, "first byte is not 0xFF");
        return;
    }
    if (n >= ZMTP_SIGNATURE_LEN && !(g[9] & 1)) {
        zmtp_fail(c, ZMTP_E_SIGNATURE, "tenth byte lacks its low bit");
        return;
    }
    if (n >= 11 && g[10] < 3) {
        zmtp_fail(c, ZMTP_E_VERSION, 0);
        return;
    }
    if (n < ZMTP_GREETING_LEN)
        return;
    static const uint8_t null_mech[20] = "NULL";
    if (rt_memcmp(g + 12, null_mech, sizeof null_mech) != 0) {
        zmtp_put_error(&c->out, "only the NULL mechanism is supported");
        zmtp_fail(c, ZMTP_E_MECHANISM, 0);
        return;
    }
    /* a newer peer downgrades to us; 3.0 peers lack PING/PONG */
    c->peer_minor = (g[10] > 3 || g[11] >= 1) ? 1 : 0;
    c->phase = PH_HANDSHAKE;
    c->rx = RX_FLAGS;
    zmtp_event *ev = zmtp_push_event(c, ZMTP_EV_GREETING);
    ev->peer_minor = c->peer_minor;
    ev->peer_as_server = g[32] & 1;
    if (!zmtp_put_ready(&c->out, c->cfg.type, c->identity, c->cfg.identity_len))
        zmtp_fail(c, ZMTP_E_NOMEM, "queueing READY");
}

static bool add_part(zmtp_conn *c, uint8_t *data, size_t len)
{
    if (c->nparts == c->parts_cap) {
        size_t cap = c->parts_cap ? c->parts_cap * 2 : 4;
        zmtp_frame *p = rt_realloc(c->parts, cap * sizeof *p);
        if (!p)
            return false;
        c->parts = p;
        c->parts_cap = cap;
    }
    c->parts[c->nparts].data = data;
    c->parts[c->nparts].len = len;
    c->nparts++;
    return true;
}

/* Moves frames [from, nparts) into a new array for the message; returns false if empty. */
static bool take_parts(zmtp_conn *c, size_t from, zmtp_msg *m)
{
    m->nframes = c->nparts - from;
    m->frames = 0;
    if (m->nframes == 0)
        return false;
    m->frames = rt_malloc(m->nframes * sizeof *m->frames);
    if (!m->frames)
        return false;
    rt_memcpy(m->frames, c->parts + from, m->nframes * sizeof *m->frames);
    c->nparts = from;
    return true;
}

/* A whole message arrived. REQ strips the empty delimiter; REP keeps the envelope for
 * its reply. A message breaking those rules is dropped, as the socket patterns say. */
static void deliver_message(zmtp_conn *c)
{
    size_t body = 0;
    if (c->cfg.type == ZMTP_REQ) {
        if (c->parts[0].len != 0)
            goto drop;
        body = 1;
    } else if (c->cfg.type == ZMTP_REP) {
        while (body < c->nparts && c->parts[body].len != 0)
            body++;
        if (body == c->nparts)
            goto drop;
        body++;
    }
    zmtp_msg m;
    if (body >= c->nparts)
        goto drop;
    if (!take_parts(c, body, &m)) {
        zmtp_fail(c, ZMTP_E_NOMEM, "delivering a message");
        return;
    }
    if (c->cfg.type == ZMTP_REP) {
        zmtp_free_frames(c->envelope, c->nenvelope);
        c->envelope = c->parts;          /* the remaining parts are the envelope */
        c->nenvelope = c->nparts;
        c->parts = 0;
        c->parts_cap = 0;
    } else if (c->cfg.type == ZMTP_REQ) {
        zmtp_free_frames(c->parts, c->nparts);   /* the delimiter */
        c->parts = 0;
        c->parts_cap = 0;
    }
    c->nparts = 0;
    c->msg_bytes = 0;
    zmtp_event *ev = zmtp_push_event(c, ZMTP_EV_MESSAGE);
    ev->msg = m;
    return;
drop:
    zmtp_free_frames(c->parts, c->nparts);
    c->parts = 0;
    c->nparts = c->parts_cap = c->msg_bytes = 0;
}

static void end_frame(zmtp_conn *c);

/* The frame header is complete: check it against the protocol phase and the limits. */
static void start_body(zmtp_conn *c)
{
    uint64_t len = c->frame_len;
    if (c->flags & ZMTP_FLAG_COMMAND) {
        if (c->flags & ZMTP_FLAG_MORE) {
            zmtp_fail(c, ZMTP_E_FRAME, "command frame with the MORE flag");
            return;
        }
        if (len == 0) {
            zmtp_fail(c, ZMTP_E_COMMAND, "empty command frame");
            return;
        }
        if (len > ZMTP_MAX_COMMAND_SIZE) {
            zmtp_fail(c, ZMTP_E_TOO_BIG, "command frame over 64 KiB");
            return;
        }
    } else {
        if (c->phase != PH_OPEN) {
            if (c->phase == PH_HANDSHAKE)
                zmtp_put_error(&c->out, "message before READY");
            zmtp_fail(c, ZMTP_E_UNEXPECTED, "message frame before READY");
            return;
        }
        if (len > c->cfg.max_msg_size - c->msg_bytes) {
            zmtp_fail(c, ZMTP_E_TOO_BIG, "message over max_msg_size");
            return;
        }
        if (c->nparts + 1 > c->cfg.max_frames) {
            zmtp_fail(c, ZMTP_E_TOO_BIG, "message has too many frames");
            return;
        }
    }
    c->body = 0;
    c->body_got = 0;
    if (len > 0 && !(c->body = rt_malloc((size_t)len))) {
        zmtp_fail(c, ZMTP_E_NOMEM, "frame body");
        return;
    }
    c->rx = RX_BODY;
    if (len == 0)
        end_frame(c);
}

static void end_frame(zmtp_conn *c)
{
    uint8_t *body = c->body;
    size_t len = (size_t)c->frame_len;
    c->body = 0;
    c->rx = RX_FLAGS;
    if (c->flags & ZMTP_FLAG_COMMAND) {
        zmtp_handle_command(c, body, len);
        rt_free(body);
        return;
    }
    if (!add_part(c, body, len)) {
        if (body)
            rt_free(body);
        zmtp_fail(c, ZMTP_E_NOMEM, "message frame list");
        return;
    }
    c->msg_bytes += len;
    if (!(c->flags & ZMTP_FLAG_MORE))
        deliver_message(c);
}

size_t zmtp_feed(zmtp_conn *c, const uint8_t *data, size_t n)
{
    size_t i = 0;
    if (!c)
        return n;
    if (n > 0)
        c->rx_seen = true;
    while (i < n) {
        if (c->phase == PH_CLOSED)
            return n;               /* the rest is discarded */
        if (c->ev_count >= ZMTP_EVQ_FEED_LIMIT)
            break;
        switch (c->rx) {
        case RX_GREETING: {
            /* byte at a time up to the version, so errors surface immediately */
            size_t want = c->greeting_got < 11 ? 1 : ZMTP_GREETING_LEN - c->greeting_got;
            if (want > n - i)
                want = n - i;
            rt_memcpy(c->greeting + c->greeting_got, data + i, want);
            c->greeting_got += want;
            i += want;
            check_greeting(c);
            break;
        }
        case RX_FLAGS:
            c->flags = data[i++];
            if (c->flags & ZMTP_FLAG_RESERVED) {
                zmtp_fail(c, ZMTP_E_FRAME, "reserved flag bits set");
                break;
            }
            c->size_need = (c->flags & ZMTP_FLAG_LONG) ? 8 : 1;
            c->size_got = 0;
            c->rx = RX_SIZE;
            break;
        case RX_SIZE:
            c->size_bytes[c->size_got++] = data[i++];
            if (c->size_got < c->size_need)
                break;
            c->frame_len = c->size_need == 8 ? zmtp_get_be64(c->size_bytes) : c->size_bytes[0];
            start_body(c);
            break;
        case RX_BODY: {
            size_t want = (size_t)c->frame_len - c->body_got;
            if (want > n - i)
                want = n - i;
            rt_memcpy(c->body + c->body_got, data + i, want);
            c->body_got += want;
            i += want;
            if (c->body_got == c->frame_len)
                end_frame(c);
            break;
        }
        }
    }
    return c->phase == PH_CLOSED ? n : i;
}

/* ---- sending ---- */

static size_t frame_wire_size(size_t len)
{
    return (len <= 255 ? 2 : 9) + len;
}

static bool put_frames(zmtp_buf *b, const zmtp_frame *pre, size_t npre,
                       const zmtp_iov *frames, size_t nframes)
{
    for (size_t i = 0; i < npre; i++)
        if (!zmtp_put_frame(b, pre[i].data, pre[i].len, true))
            return false;
    for (size_t i = 0; i < nframes; i++)
        if (!zmtp_put_frame(b, frames[i].data, frames[i].len, i + 1 < nframes))
            return false;
    return true;
}

zmtp_error zmtp_send(zmtp_conn *c, const zmtp_iov *frames, size_t nframes)
{
    static const zmtp_frame delimiter = { 0, 0 };
    if (!c || !frames || nframes == 0)
        return ZMTP_E_ARG;
    if (c->phase == PH_CLOSED)
        return ZMTP_E_CLOSED;
    const zmtp_frame *pre = 0;
    size_t npre = 0;
    if (c->cfg.type == ZMTP_REQ) {
        pre = &delimiter;
        npre = 1;
    } else if (c->cfg.type == ZMTP_REP) {
        if (!c->envelope)
            return ZMTP_E_NOT_READY;       /* no request to answer */
        pre = c->envelope;
        npre = c->nenvelope;
    }
    size_t total = 0;
    for (size_t i = 0; i < npre; i++)
        total += frame_wire_size(pre[i].len);
    for (size_t i = 0; i < nframes; i++) {
        if (frames[i].len && !frames[i].data)
            return ZMTP_E_ARG;
        if (frames[i].len > c->cfg.max_output)
            return ZMTP_E_BACKLOG;
        total += frame_wire_size(frames[i].len);
    }
    if (total > c->cfg.max_output || c->out.len + c->held.len > c->cfg.max_output - total)
        return ZMTP_E_BACKLOG;
    zmtp_buf *b = c->phase == PH_OPEN ? &c->out : &c->held;
    size_t before = b->len;
    if (!put_frames(b, pre, npre, frames, nframes)) {
        b->len = before;                   /* nothing half-queued */
        return ZMTP_E_NOMEM;
    }
    if (c->cfg.type == ZMTP_REP) {
        zmtp_free_frames(c->envelope, c->nenvelope);
        c->envelope = 0;
        c->nenvelope = 0;
    }
    return ZMTP_OK;
}

static uint16_t ttl_deciseconds(uint32_t ms)
{
    uint32_t ds = ms / 100;
    return ds > 0xFFFF ? 0xFFFF : (uint16_t)ds;
}

zmtp_error zmtp_send_ping(zmtp_conn *c, const void *context, size_t len)
{
    if (!c || len > ZMTP_MAX_PING_CONTEXT || (len && !context))
        return ZMTP_E_ARG;
    if (c->phase == PH_CLOSED)
        return ZMTP_E_CLOSED;
    if (c->phase != PH_OPEN || c->peer_minor < 1)
        return ZMTP_E_NOT_READY;
    if (!zmtp_put_ping(&c->out, ttl_deciseconds(c->cfg.heartbeat_ttl_ms), context, len))
        return ZMTP_E_NOMEM;
    return ZMTP_OK;
}

void zmtp_send_error(zmtp_conn *c, const char *reason)
{
    if (!c || c->phase == PH_CLOSED)
        return;
    if (c->phase != PH_GREETING)   /* before the greeting the peer could not parse it */
        zmtp_put_error(&c->out, reason);
    c->phase = PH_CLOSED;
    drop_partial(c);
}

void zmtp_output(zmtp_conn *c, const uint8_t **data, size_t *len)
{
    *data = c->out.data ? c->out.data + c->out.start : 0;
    *len = c->out.len;
}

void zmtp_consumed(zmtp_conn *c, size_t n)
{
    zmtp_buf_drop(&c->out, n);
    if (c->out.len == 0 && c->out.cap > 256 * 1024)
        zmtp_buf_free(&c->out);       /* give back what one big message needed */
}

/* ---- heartbeats ---- */

uint32_t zmtp_tick(zmtp_conn *c, uint64_t now)
{
    if (!c || c->phase == PH_CLOSED)
        return UINT32_MAX;
    if (!c->clock_started) {
        c->clock_started = true;
        c->last_rx_ms = c->last_ping_ms = now;
    }
    if (c->rx_seen) {
        c->rx_seen = false;
        c->last_rx_ms = now;
    }
    if (now < c->last_rx_ms)        /* a clock that went backwards counts as no time */
        now = c->last_rx_ms;
    if (now < c->last_ping_ms)
        now = c->last_ping_ms;
    uint64_t next = UINT64_MAX;
    if (c->phase == PH_OPEN && c->peer_minor >= 1 && c->cfg.heartbeat_ivl_ms) {
        if (now - c->last_ping_ms >= c->cfg.heartbeat_ivl_ms) {
            if (zmtp_put_ping(&c->out, ttl_deciseconds(c->cfg.heartbeat_ttl_ms), 0, 0))
                c->last_ping_ms = now;
        }
        next = c->last_ping_ms + c->cfg.heartbeat_ivl_ms;
    }
    uint32_t timeout = c->cfg.heartbeat_timeout_ms;
    if (c->peer_ttl_ms && (!timeout || c->peer_ttl_ms < timeout))
        timeout = c->peer_ttl_ms;
    if (timeout) {
        if (now - c->last_rx_ms >= timeout) {
            zmtp_fail(c, ZMTP_E_TIMEOUT, 0);
            return UINT32_MAX;
        }
        if (c->last_rx_ms + timeout < next)
            next = c->last_rx_ms + timeout;
    }
    if (next == UINT64_MAX)
        return UINT32_MAX;
    uint64_t wait = next > now ? next - now : 0;
    return wait > UINT32_MAX - 1 ? UINT32_MAX - 1 : (uint32_t)wait;
}

bool zmtp_is_ready(const zmtp_conn *c)
{
    return c && c->phase == PH_OPEN;
}

bool zmtp_is_closed(const zmtp_conn *c)
{
    return !c || c->phase == PH_CLOSED;
}
