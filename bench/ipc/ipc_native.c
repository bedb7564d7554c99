/* bench/ipc (native bodies): a channel round trip between two SIPs on one node -- a Ping
 * carrying a 64-byte exchange-heap block one way, the same block back in a Pong, through
 * the scheduler (each side blocks until the other answers) -- against a pipe ping-pong
 * between two Linux processes, measured in the same run. The SIPs' code is C here, so this
 * measures the kernel's channel, contract-check and scheduling path; bench/ipc/ipc_wasm
 * measures the same with WebAssembly SIPs. Target: ratio <= 0.2. */
#include <stdio.h>
#include <string.h>
#include "bench/ipc/pipe_pingpong.h"
#include "node-kernel/core/channel.h"
#include "node-kernel/core/native.h"
#include "node-kernel/core/syscall.h"

static const char PING_CONTRACT[] =
    "contract Ping {\n"
    "    in  message Ping(u32 n, bytes data);\n"
    "    out message Pong(u32 n, bytes data);\n"
    "    state Idle { Ping? -> Busy; }\n"
    "    state Busy { Pong! -> Idle; }\n"
    "}\n";

typedef struct { int32_t ep, blk; uint32_t left; bool awaiting; } client;

static sip_run_result client_step(sip *s, void *arg, uint64_t fuel)
{
    client *c = arg;
    for (;;) {
        if (c->awaiting) {
            uint32_t tag, n, nh;
            int32_t h[1];
            int32_t r = sys_recv(s, c->ep, &tag, &n, 4, h, 1, &nh, true);
            if (r == SIP_EAGAIN)
                return SIP_RUN_YIELD;
            if (r < 0)
                return SIP_RUN_TRAP;
            c->blk = h[0];
            c->awaiting = false;
        }
        if (c->left == 0)
            return SIP_RUN_EXIT;
        if (sys_send(s, c->ep, 0, &c->left, 4, &c->blk, 1, true) < 0)
            return SIP_RUN_TRAP;
        c->left--;
        c->awaiting = true;
    }
}

static sip_run_result server_step(sip *s, void *arg, uint64_t fuel)
{
    int32_t ep = *(int32_t *)arg;
    for (;;) {
        uint32_t tag, n, nh;
        int32_t h[1];
        int32_t r = sys_recv(s, ep, &tag, &n, 4, h, 1, &nh, true);
        if (r == SIP_EAGAIN)
            return SIP_RUN_YIELD;
        if (r == SIP_ECLOSED)
            return SIP_RUN_EXIT;
        if (r < 0 || sys_send(s, ep, 1, &n, 4, h, 1, true) < 0)
            return SIP_RUN_TRAP;
    }
}

static double sip_roundtrip_ns(uint64_t n)
{
    contract_set *cs;
    contract_error err;
    if (contract_parse(PING_CONTRACT, strlen(PING_CONTRACT), "bench", &cs, &err))
        return -1;
    kernel *k = kernel_new(0);
    kernel_add_contracts(k, cs);
    sip *a = sip_create(k, "client", NULL), *b = sip_create(k, "server", NULL);
    endpoint *imp, *exp;
    chan_create(k, kernel_find_contract(k, "Ping", 4), &imp, &exp);
    sip_wire(a, "server", imp);
    sip_wire(b, "clients", exp);
    client c = { .ep = sys_bind(a, "server", 6), .blk = sys_block_alloc(a, 64), .left = (uint32_t)n };
    int32_t sep = sys_bind(b, "clients", 7);
    native_attach(a, client_step, &c);
    native_attach(b, server_step, &sep);
    sip_start(b);
    sip_start(a);
    uint64_t t0 = bench_now_ns();
    kernel_run(k, 0);
    uint64_t t1 = bench_now_ns();
    double result = c.left == 0 && k->nsips_live == 0 ? (double)(t1 - t0) / (double)n : -1;
    kernel_free(k);
    contract_set_free(cs);
    return result;
}

int main(void)
{
    const uint64_t n_pipe = 50000, n_sip = 1000000;
    double pipe_ns = pipe_pingpong_ns(n_pipe);
    double sip_ns = sip_roundtrip_ns(n_sip);
    if (pipe_ns <= 0 || sip_ns <= 0) {
        fprintf(stderr, "ipc_native: a measurement failed\n");
        return 1;
    }
    printf("ipc: pipe ping-pong round trip, 2 Linux processes: %.0f ns\n", pipe_ns);
    printf("ipc: channel round trip, 2 native-body SIPs, 64-byte block moved both ways: %.0f ns\n", sip_ns);
    printf("ipc: ratio native-body SIP / pipe = %.4f (target <= 0.2)\n", sip_ns / pipe_ns);
    return 0;
}
