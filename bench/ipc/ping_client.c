/* bench/ipc SIP: the client side of the wasm round-trip benchmark. Waits for Ready, then
 * sends argv[1] Requests over "server", each carrying the same 64-byte block, waiting for
 * each Response (which brings the block back). */
#include <stdlib.h>
#include "sips/sdk/sip.h"
#include "contracts/Echo.h"

int main(int argc, char **argv)
{
    sip_ep ep = sip_bind("server");
    long n = argc > 1 ? atol(argv[1]) : 1000;
    Echo_msg m;
    if (Echo_recv(ep, &m) != Echo_tag_Ready)
        return 1;
    sip_block b = sip_block_alloc(64);
    for (long i = 0; i < n; i++) {
        Echo_send_Request(ep, b);
        if (Echo_recv(ep, &m) != Echo_tag_Response)
            return 1;
        b = m.Response.data;
    }
    return 0;
}
