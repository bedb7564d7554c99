/* ZMTP 3.1 commands received from the peer: READY (handshake: Socket-Type and Identity
 * properties), ERROR, PING (answered with PONG at once) and PONG. Every length field is
 * checked against the bytes actually present before it is used. */
#include "netchan/zmtp/zmtp_conn_impl.h"

static bool name_is(const uint8_t *name, size_t len, const char *want)
{
    return zmtp_cstrlen(want) == len && rt_memcmp(name, want, len) == 0;
}

/* Property names compare without regard to ASCII case. */
static bool property_is(const uint8_t *name, size_t len, const char *want)
{
    if (zmtp_cstrlen(want) != len)
        return false;
    for (size_t i = 0; i < len; i++) {
        uint8_t a = name[i], b = (uint8_t)want[i];
        if (a >= 'A' && a <= 'Z') a += 32;
        if (b >= 'A' && b <= 'Z') b += 32;
        if (a != b)
            return false;
    }
    return true;
}

/* Handshake failures are told to the peer with an ERROR command before we give up. */
static void fail_handshake(zmtp_conn *c, zmtp_error err, const char *detail)
{
    zmtp_put_error(&c->out, detail ? detail : zmtp_strerror(err));
    zmtp_fail(c, err, detail);
}

static void handle_ready(zmtp_conn *c, const uint8_t *p, size_t len)
{
    bool have_type = false;
    zmtp_socket_type type = ZMTP_PAIR;
    size_t i = 0;
    while (i < len) {
        size_t name_len = p[i++];
        if (name_len == 0 || name_len > len - i) {
            fail_handshake(c, ZMTP_E_COMMAND, "READY property name overruns the command");
            return;
        }
        const uint8_t *name = p + i;
        i += name_len;
        if (len - i < 4) {
            fail_handshake(c, ZMTP_E_COMMAND, "READY property value size truncated");
            return;
        }
        uint32_t value_len = zmtp_get_be32(p + i);
        i += 4;
        if (value_len > len - i) {
            fail_handshake(c, ZMTP_E_COMMAND, "READY property value overruns the command");
            return;
        }
        const uint8_t *value = p + i;
        i += value_len;
        if (property_is(name, name_len, "Socket-Type")) {
            if (!zmtp_socket_type_parse(value, value_len, &type)) {
                fail_handshake(c, ZMTP_E_SOCKET_TYPE, "unknown Socket-Type");
                return;
            }
            have_type = true;
        } else if (property_is(name, name_len, "Identity")) {
            if (value_len > ZMTP_MAX_IDENTITY) {
                fail_handshake(c, ZMTP_E_COMMAND, "Identity longer than 255 bytes");
                return;
            }
            rt_memcpy(c->peer_identity, value, value_len);
            c->peer_identity_len = value_len;
        }
        /* other properties (application metadata) are allowed and ignored */
    }
    if (!have_type) {
        fail_handshake(c, ZMTP_E_SOCKET_TYPE, "READY without Socket-Type");
        return;
    }
    if (!zmtp_socket_types_compatible(c->cfg.type, type)) {
        fail_handshake(c, ZMTP_E_SOCKET_TYPE, "peer Socket-Type cannot talk to ours");
        return;
    }
    c->peer_type = type;
    c->phase = PH_OPEN;
    /* messages queued during the handshake go out now, after our READY */
    if (c->held.len) {
        if (!zmtp_buf_put(&c->out, c->held.data + c->held.start, c->held.len)) {
            zmtp_fail(c, ZMTP_E_NOMEM, "releasing held messages");
            return;
        }
        zmtp_buf_free(&c->held);
    }
    zmtp_event *ev = zmtp_push_event(c, ZMTP_EV_READY);
    ev->peer_type = type;
    ev->identity = c->peer_identity;
    ev->identity_len = c->peer_identity_len;
    ev->peer_minor = c->peer_minor;
}

static void handle_error(zmtp_conn *c, const uint8_t *p, size_t len)
{
    if (len < 1 || (size_t)p[0] > len - 1) {
        zmtp_fail(c, ZMTP_E_PEER_ERROR, "(malformed ERROR command)");
        return;
    }
    char text[ZMTP_MAX_REASON + 1];
    size_t n = p[0];
    for (size_t i = 0; i < n; i++)   /* keep the text printable */
        text[i] = (p[1 + i] >= 32 && p[1 + i] < 127) ? (char)p[1 + i] : '?';
    text[n] = 0;
    zmtp_fail(c, ZMTP_E_PEER_ERROR, text);
}

static void handle_ping(zmtp_conn *c, const uint8_t *p, size_t len)
{
    if (len < 2 || len - 2 > ZMTP_MAX_PING_CONTEXT) {
        zmtp_fail(c, ZMTP_E_COMMAND, "PING shorter than its TTL or context over 16 bytes");
        return;
    }
    size_t ctx_len = len - 2;
    if (!zmtp_put_pong(&c->out, p + 2, ctx_len)) {
        zmtp_fail(c, ZMTP_E_NOMEM, "queueing PONG");
        return;
    }
    c->peer_ttl_ms = (uint32_t)zmtp_get_be16(p) * 100;
    zmtp_event *ev = zmtp_push_event(c, ZMTP_EV_PING);
    ev->ttl_ms = c->peer_ttl_ms;
    rt_memcpy(ev->context, p + 2, ctx_len);
    ev->context_len = ctx_len;
}

static void handle_pong(zmtp_conn *c, const uint8_t *p, size_t len)
{
    if (len > ZMTP_MAX_PING_CONTEXT) {
        zmtp_fail(c, ZMTP_E_COMMAND, "PONG context over 16 bytes");
        return;
    }
    zmtp_event *ev = zmtp_push_event(c, ZMTP_EV_PONG);
    rt_memcpy(ev->context, p, len);
    ev->context_len = len;
}

void zmtp_handle_command(zmtp_conn *c, const uint8_t *body, size_t len)
{
    size_t name_len = body[0];          /* len >= 1 is checked by the caller */
    if (name_len == 0 || name_len > len - 1) {
        if (c->phase == PH_HANDSHAKE)
            fail_handshake(c, ZMTP_E_COMMAND, "command name overruns the frame");
        else
            zmtp_fail(c, ZMTP_E_COMMAND, "command name overruns the frame");
        return;
    }
    const uint8_t *name = body + 1;
    const uint8_t *data = body + 1 + name_len;
    size_t data_len = len - 1 - name_len;

    if (name_is(name, name_len, "ERROR")) {
        handle_error(c, data, data_len);
    } else if (c->phase == PH_HANDSHAKE) {
        if (name_is(name, name_len, "READY"))
            handle_ready(c, data, data_len);
        else
            fail_handshake(c, ZMTP_E_UNEXPECTED, "expected READY command");
    } else if (name_is(name, name_len, "READY")) {
        zmtp_fail(c, ZMTP_E_UNEXPECTED, "second READY command");
    } else if (name_is(name, name_len, "PING")) {
        handle_ping(c, data, data_len);
    } else if (name_is(name, name_len, "PONG")) {
        handle_pong(c, data, data_len);
    }
    /* SUBSCRIBE, CANCEL and unknown commands are ignored after the handshake */
}
