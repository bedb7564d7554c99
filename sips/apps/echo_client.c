/* echo_client: sends each of its arguments (or "hello" if none) to the Echo server wired
 * as "server" and prints what comes back. */
#include <stdio.h>
#include <string.h>
#include "sips/sdk/sip.h"
#include "contracts/Echo.h"

int main(int argc, char **argv)
{
    sip_ep ep = sip_bind("server");
    if (ep < 0) {
        fprintf(stderr, "no endpoint 'server' (%d)\n", ep);
        return 1;
    }
    Echo_msg m;
    if (Echo_recv(ep, &m) != Echo_tag_Ready) {
        fprintf(stderr, "server not ready\n");
        return 1;
    }
    const char *dflt[] = { "hello" };
    const char **words = argc > 1 ? (const char **)argv + 1 : dflt;
    int n = argc > 1 ? argc - 1 : 1;
    for (int i = 0; i < n; i++) {
        sip_block b = sip_block_from(words[i], (uint32_t)strlen(words[i]));
        Echo_send_Request(ep, b);
        if (Echo_recv(ep, &m) != Echo_tag_Response) {
            fprintf(stderr, "no response\n");
            return 1;
        }
        char buf[256];
        int32_t len = sip_block_size(m.Response.data);
        if (len > (int32_t)sizeof buf - 1)
            len = sizeof buf - 1;
        sip_block_read(m.Response.data, 0, buf, (uint32_t)len);
        buf[len] = 0;
        printf("echo: %s\n", buf);
        sip_block_free(m.Response.data);
    }
    return 0;
}
