/* ZMTP socket type names as they appear in the READY Socket-Type property, the table of
 * which types may talk to each other, and readable texts for error codes. */
#include "netchan/zmtp/zmtp_wire.h"

static const char *const type_names[ZMTP_SOCKET_TYPE_COUNT] = {
    [ZMTP_PAIR] = "PAIR",     [ZMTP_PUB] = "PUB",       [ZMTP_SUB] = "SUB",
    [ZMTP_REQ] = "REQ",       [ZMTP_REP] = "REP",       [ZMTP_DEALER] = "DEALER",
    [ZMTP_ROUTER] = "ROUTER", [ZMTP_PULL] = "PULL",     [ZMTP_PUSH] = "PUSH",
    [ZMTP_XPUB] = "XPUB",     [ZMTP_XSUB] = "XSUB",
};

const char *zmtp_socket_type_name(zmtp_socket_type t)
{
    return (unsigned)t < ZMTP_SOCKET_TYPE_COUNT ? type_names[t] : "?";
}

bool zmtp_socket_type_parse(const uint8_t *name, size_t len, zmtp_socket_type *out)
{
    for (int t = 0; t < ZMTP_SOCKET_TYPE_COUNT; t++) {
        if (zmtp_cstrlen(type_names[t]) == len && rt_memcmp(type_names[t], name, len) == 0) {
            *out = (zmtp_socket_type)t;
            return true;
        }
    }
    return false;
}

#define BIT(t) (1u << (t))

/* For each type, the set of peer types it accepts. */
static const uint32_t peers_of[ZMTP_SOCKET_TYPE_COUNT] = {
    [ZMTP_PAIR]   = BIT(ZMTP_PAIR),
    [ZMTP_PUB]    = BIT(ZMTP_SUB) | BIT(ZMTP_XSUB),
    [ZMTP_SUB]    = BIT(ZMTP_PUB) | BIT(ZMTP_XPUB),
    [ZMTP_XPUB]   = BIT(ZMTP_SUB) | BIT(ZMTP_XSUB),
    [ZMTP_XSUB]   = BIT(ZMTP_PUB) | BIT(ZMTP_XPUB),
    [ZMTP_REQ]    = BIT(ZMTP_REP) | BIT(ZMTP_ROUTER),
    [ZMTP_REP]    = BIT(ZMTP_REQ) | BIT(ZMTP_DEALER),
    [ZMTP_DEALER] = BIT(ZMTP_REP) | BIT(ZMTP_DEALER) | BIT(ZMTP_ROUTER),
    [ZMTP_ROUTER] = BIT(ZMTP_REQ) | BIT(ZMTP_DEALER) | BIT(ZMTP_ROUTER),
    [ZMTP_PUSH]   = BIT(ZMTP_PULL),
    [ZMTP_PULL]   = BIT(ZMTP_PUSH),
};

bool zmtp_socket_types_compatible(zmtp_socket_type a, zmtp_socket_type b)
{
    if ((unsigned)a >= ZMTP_SOCKET_TYPE_COUNT || (unsigned)b >= ZMTP_SOCKET_TYPE_COUNT)
        return false;
    return (peers_of[a] & BIT(b)) != 0;
}

const char *zmtp_strerror(zmtp_error e)
{
    switch (e) {
    case ZMTP_OK:            return "no error";
    case ZMTP_E_NOMEM:       return "out of memory";
    case ZMTP_E_SIGNATURE:   return "peer greeting lacks the ZMTP signature";
    case ZMTP_E_VERSION:     return "peer ZMTP version is older than 3.0";
    case ZMTP_E_MECHANISM:   return "peer security mechanism is not NULL";
    case ZMTP_E_FRAME:       return "malformed frame header";
    case ZMTP_E_TOO_BIG:     return "message or command exceeds the size limit";
    case ZMTP_E_COMMAND:     return "malformed command";
    case ZMTP_E_UNEXPECTED:  return "frame not allowed at this point of the protocol";
    case ZMTP_E_SOCKET_TYPE: return "missing, unknown or incompatible peer socket type";
    case ZMTP_E_PEER_ERROR:  return "peer sent ERROR";
    case ZMTP_E_TIMEOUT:     return "heartbeat timeout: peer silent";
    case ZMTP_E_CLOSED:      return "connection closed";
    case ZMTP_E_NOT_READY:   return "handshake not finished";
    case ZMTP_E_ARG:         return "invalid argument";
    case ZMTP_E_BACKLOG:     return "output backlog full";
    }
    return "unknown error";
}
