/* bench/ipc (wasm): a channel round trip between two WebAssembly SIPs on one node -- the
 * Echo contract, a 64-byte exchange-heap block moved to the server and back -- against a
 * pipe ping-pong between two Linux processes, measured in the same run. Includes the
 * interpreter, the `sip` host calls, contract checks and two scheduler switches per round
 * trip. Target: ratio <= 0.2. Run from the repository root. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bench/ipc/pipe_pingpong.h"
#include "node-kernel/hosted/deploy.h"

#define ROUNDS "200000"

static double sip_roundtrip_ns(double rounds)
{
    kernel *k = kernel_new(0);
    deployment d = { 0 };
    manifest m;
    char err[512];
    int rc = manifest_parse("contract contracts/lib/echo.contract\n"
                            "sip server build/sips/echo_server.wasm\n"
                            "sip client build/sips/bench/ipc/ping_client.wasm " ROUNDS "\n"
                            "channel Echo client.server server.clients\n",
                            "ipc_wasm", &m, err, sizeof err);
    if (rc == 0)
        rc = deploy(k, &m, &d, err, sizeof err);
    if (rc) {
        fprintf(stderr, "ipc_wasm: %s\n", err);
        return -1;
    }
    manifest_free(&m);
    uint64_t t0 = bench_now_ns();
    kernel_run(k, 0);
    uint64_t t1 = bench_now_ns();
    double result = k->nsips_live == 0 ? (double)(t1 - t0) / rounds : -1;
    kernel_free(k);
    deploy_free(&d);
    return result;
}

int main(void)
{
    double pipe_ns = pipe_pingpong_ns(50000);
    double sip_ns = sip_roundtrip_ns(atof(ROUNDS));
    if (pipe_ns <= 0 || sip_ns <= 0) {
        fprintf(stderr, "ipc_wasm: a measurement failed\n");
        return 1;
    }
    printf("ipc: pipe ping-pong round trip, 2 Linux processes: %.0f ns\n", pipe_ns);
    printf("ipc: channel round trip, 2 wasm SIPs (Echo, 64-byte block moved both ways): %.0f ns\n", sip_ns);
    printf("ipc: ratio wasm SIP / pipe = %.4f (target <= 0.2)\n", sip_ns / pipe_ns);
    return 0;
}
