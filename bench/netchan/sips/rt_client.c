/* rt_client (netchan benchmark): Echo round trips over the endpoint "server": waits for
 * Ready, then sends ITERS requests of SIZE bytes one at a time (the server answers each
 * with the same block), after WARMUP untimed ones, and prints "rt_ns=<mean ns>".
 * Usage: rt_client ITERS SIZE [WARMUP] */
#include <stdio.h>
#include <stdlib.h>
#include "sips/sdk/sip.h"
#include "contracts/Echo.h"

int main(int argc, char **argv)
{
    int iters = argc > 1 ? atoi(argv[1]) : 10000;
    int size = argc > 2 ? atoi(argv[2]) : 64;
    int warm = argc > 3 ? atoi(argv[3]) : 200;
    sip_ep ep = sip_bind("server");
    Echo_msg m;
    if (ep < 0 || Echo_recv(ep, &m) != Echo_tag_Ready)
        return 1;
    sip_block b = sip_block_alloc((uint32_t)size);
    uint64_t t0 = 0;
    for (int i = 0; i < warm + iters; i++) {
        if (i == warm)
            t0 = sip_time_ns();
        Echo_send_Request(ep, b);
        if (Echo_recv(ep, &m) != Echo_tag_Response)
            return 1;
        b = m.Response.data;
    }
    uint64_t t1 = sip_time_ns();
    sip_block_free(b);
    printf("rt_ns=%llu\n", (unsigned long long)((t1 - t0) / (uint64_t)iters));
    return 0;
}
