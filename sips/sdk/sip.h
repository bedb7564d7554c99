/* The `sip` ABI: what a SIP (a wasm32-wasi module) imports from the node kernel to use
 * channels, exchange-heap blocks, endpoint binding, select, yield and time.
 *
 * Handles (sip_ep, sip_block) are unforgeable: a generation-tagged index into the SIP's
 * own handle table, checked on every use. Using a handle you do not own -- a forged number,
 * a block you already sent or freed -- traps the SIP. So does a send the channel's contract
 * forbids, or a pointer outside the SIP's linear memory.
 *
 * Functions return >= 0 on success and a negative SIP_E* code on an ordinary failure.
 * sip_recv/sip_send/sip_select block (the SIP sleeps until something happens); the
 * sip_try_* forms return SIP_EAGAIN instead.
 *
 * Message layout (fixed by contracts/contract.h): tag = message index in its contract,
 * payload = scalar arguments packed little-endian without padding, handles = bytes /
 * imp<> / exp<> arguments in declaration order. Sending moves every handle: after a
 * successful send the sender's handles are gone; the receiver gets new ones.
 *
 * The kernel includes this header for the shared constants only; the declarations of the
 * imports exist only when compiling for wasm. */
#ifndef SIPS_SDK_SIP_H
#define SIPS_SDK_SIP_H

#include <stdint.h>

typedef int32_t sip_ep;
typedef int32_t sip_block;

/* error codes (negative returns) */
#define SIP_OK          0
#define SIP_EAGAIN     (-1)   /* would block (try_ forms), or queue full */
#define SIP_ECLOSED    (-2)   /* the peer endpoint is closed and the queue is drained */
#define SIP_EBADHANDLE (-3)   /* not a live handle of yours (the SIP traps) */
#define SIP_ECONTRACT  (-4)   /* the contract forbids it (a send traps the SIP) */
#define SIP_EQUOTA     (-5)   /* a quota (heap bytes, handles) would be exceeded */
#define SIP_ENOMEM     (-6)   /* the node is out of memory */
#define SIP_EINVAL     (-7)   /* bad argument (size, name, range) */
#define SIP_ENOENT     (-8)   /* no endpoint wired under that name / unknown contract */
#define SIP_ETOOBIG    (-9)   /* receive buffers too small; the message stays queued */
#define SIP_EFAULT     (-10)  /* pointer outside linear memory (the SIP traps) */

/* A short text for a SIP_E* code, for messages: fprintf(stderr, "%s\n", sip_strerror(r)). */
static inline const char *sip_strerror(int32_t code)
{
    switch (code) {
    case SIP_OK:         return "ok";
    case SIP_EAGAIN:     return "would block";
    case SIP_ECLOSED:    return "peer closed";
    case SIP_EBADHANDLE: return "not a live handle";
    case SIP_ECONTRACT:  return "forbidden by the contract";
    case SIP_EQUOTA:     return "quota exceeded";
    case SIP_ENOMEM:     return "node out of memory";
    case SIP_EINVAL:     return "bad argument";
    case SIP_ENOENT:     return "no such endpoint or contract";
    case SIP_ETOOBIG:    return "receive buffers too small";
    case SIP_EFAULT:     return "pointer outside linear memory";
    default:             return code >= 0 ? "ok" : "unknown error";
    }
}

/* limits */
#define SIP_MAX_PAYLOAD  65536u   /* bytes of scalar payload per message */
#define SIP_MAX_HANDLES  16u      /* handles per message */

#if defined(__wasm__)
#define SIP_IMPORT(name) __attribute__((import_module("sip"), import_name(name)))

/* Endpoint the node wired for this SIP under `name` (e.g. "out"), or SIP_ENOENT. */
SIP_IMPORT("bind") sip_ep sip_bind_n(const char *name, uint32_t len);
/* A new channel of contract `name` (the node's contract library): both ends are yours. */
SIP_IMPORT("chan_create") int32_t sip_chan_create_n(const char *name, uint32_t len,
                                                    sip_ep *imp, sip_ep *exp);
SIP_IMPORT("close") int32_t sip_close(sip_ep ep);

/* Send: returns 0. Blocks only while the peer's queue is full. */
SIP_IMPORT("send") int32_t sip_send(sip_ep ep, uint32_t tag, const void *payload,
                                    uint32_t payload_len, const sip_block *handles,
                                    uint32_t nhandles);
SIP_IMPORT("try_send") int32_t sip_try_send(sip_ep ep, uint32_t tag, const void *payload,
                                            uint32_t payload_len, const sip_block *handles,
                                            uint32_t nhandles);
/* Receive: returns the payload length, stores the tag and the new handles. */
SIP_IMPORT("recv") int32_t sip_recv(sip_ep ep, uint32_t *tag, void *payload, uint32_t cap,
                                    sip_block *handles, uint32_t hcap);
SIP_IMPORT("try_recv") int32_t sip_try_recv(sip_ep ep, uint32_t *tag, void *payload,
                                            uint32_t cap, sip_block *handles, uint32_t hcap);
/* Wait until one of the endpoints has a message (or is closed): returns its index. */
SIP_IMPORT("select") int32_t sip_select(const sip_ep *eps, uint32_t n);
SIP_IMPORT("try_select") int32_t sip_try_select(const sip_ep *eps, uint32_t n);

/* Exchange-heap blocks. */
SIP_IMPORT("block_alloc") sip_block sip_block_alloc(uint32_t size);
SIP_IMPORT("block_free")  int32_t sip_block_free(sip_block b);
SIP_IMPORT("block_size")  int32_t sip_block_size(sip_block b);
SIP_IMPORT("block_read")  int32_t sip_block_read(sip_block b, uint32_t off, void *dst, uint32_t len);
SIP_IMPORT("block_write") int32_t sip_block_write(sip_block b, uint32_t off, const void *src,
                                                  uint32_t len);

SIP_IMPORT("yield")   void sip_yield(void);
SIP_IMPORT("time_ns") uint64_t sip_time_ns(void);   /* monotonic */

static inline uint32_t sip__strlen(const char *s)
{
    uint32_t n = 0;
    while (s[n]) n++;
    return n;
}
static inline sip_ep sip_bind(const char *name) { return sip_bind_n(name, sip__strlen(name)); }
static inline int32_t sip_chan_create(const char *contract, sip_ep *imp, sip_ep *exp)
{
    return sip_chan_create_n(contract, sip__strlen(contract), imp, exp);
}
/* A block holding a copy of `len` bytes, or a negative error. */
static inline sip_block sip_block_from(const void *src, uint32_t len)
{
    sip_block b = sip_block_alloc(len);
    if (b >= 0 && len) {
        int32_t r = sip_block_write(b, 0, src, len);
        if (r < 0) { sip_block_free(b); return r; }
    }
    return b;
}
#undef SIP_IMPORT
#endif /* __wasm__ */

#endif
