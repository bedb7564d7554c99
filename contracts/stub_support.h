/* Support for the C stubs contractc generates (contracts/contractc/gen_header.c): the
 * `sip` ABI calls the stubs make and little-endian packing of scalar payloads.
 *
 * In a SIP (wasm32) the ABI comes from sips/sdk/sip.h. Host builds (unit tests,
 * simulators) that include a generated header must define sip_send and sip_recv
 * themselves with the signatures below. To bind the stubs to a different ABI, change
 * only this file. */
#ifndef CONTRACTS_STUB_SUPPORT_H
#define CONTRACTS_STUB_SUPPORT_H

#include <stdbool.h>
#include <stdint.h>

#if defined(__has_include)
#if __has_include("sips/sdk/sip.h")
#include "sips/sdk/sip.h"
#define CONTRACT_HAVE_SIP_H 1
#endif
#endif

#ifndef CONTRACT_HAVE_SIP_H
typedef int32_t sip_ep;
typedef int32_t sip_block;
#endif

#if !defined(CONTRACT_HAVE_SIP_H) || !defined(__wasm__)
#if defined(__wasm__)
#define CONTRACT_SIP_IMPORT(name) __attribute__((import_module("sip"), import_name(name)))
#else
#define CONTRACT_SIP_IMPORT(name)
#endif
/* Send message `tag`: payload bytes and handles (moved to the peer). <0 on error. */
CONTRACT_SIP_IMPORT("send") int32_t sip_send(sip_ep ep, uint32_t tag, const void *payload,
                                             uint32_t payload_len, const sip_block *handles,
                                             uint32_t nhandles);
/* Receive one message: stores its tag and handles, returns the payload length, <0 on error. */
CONTRACT_SIP_IMPORT("recv") int32_t sip_recv(sip_ep ep, uint32_t *tag, void *payload,
                                             uint32_t cap, sip_block *handles, uint32_t hcap);
#undef CONTRACT_SIP_IMPORT
#endif

#ifndef SIP_EINVAL
#define SIP_EINVAL (-7)
#endif

/* ---- little-endian packing (the payload layout of contracts/contract.h) ----------------- */
static inline void contract_put_u16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8);
}
static inline void contract_put_u32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i));
}
static inline void contract_put_u64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (8 * i));
}
static inline void contract_put_f32(uint8_t *p, float v)
{
    union { float f; uint32_t u; } x = { .f = v };
    contract_put_u32(p, x.u);
}
static inline void contract_put_f64(uint8_t *p, double v)
{
    union { double f; uint64_t u; } x = { .f = v };
    contract_put_u64(p, x.u);
}
static inline uint16_t contract_get_u16(const uint8_t *p)
{
    return (uint16_t)(p[0] | (p[1] << 8));
}
static inline uint32_t contract_get_u32(const uint8_t *p)
{
    uint32_t v = 0;
    for (int i = 3; i >= 0; i--) v = (v << 8) | p[i];
    return v;
}
static inline uint64_t contract_get_u64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) v = (v << 8) | p[i];
    return v;
}
static inline float contract_get_f32(const uint8_t *p)
{
    union { uint32_t u; float f; } x = { .u = contract_get_u32(p) };
    return x.f;
}
static inline double contract_get_f64(const uint8_t *p)
{
    union { uint64_t u; double f; } x = { .u = contract_get_u64(p) };
    return x.f;
}

#endif
