/* A long-running Echo client for the orchestrator tests: sends "ping N" to the server
 * wired as "server" every 100 ms and prints each answer, until the channel closes
 * (then it fails, so restart policies and channel supervision come into play). */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "sips/sdk/sip.h"
#include "contracts/Echo.h"

int main(void)
{
    sip_ep ep = sip_bind("server");
    Echo_msg m;
    if (ep < 0 || Echo_recv(ep, &m) != Echo_tag_Ready) {
        fprintf(stderr, "echo_loop: no server\n");
        return 1;
    }
    struct timespec ts = { 0, 100 * 1000 * 1000 };
    for (int i = 1;; i++) {
        char text[32];
        snprintf(text, sizeof text, "ping %d", i);
        Echo_send_Request(ep, sip_block_from(text, (uint32_t)strlen(text)));
        if (Echo_recv(ep, &m) != Echo_tag_Response) {
            fprintf(stderr, "echo_loop: server gone after %d pings\n", i - 1);
            return 1;
        }
        char buf[64];
        int32_t len = sip_block_size(m.Response.data);
        if (len > (int32_t)sizeof buf - 1)
            len = sizeof buf - 1;
        sip_block_read(m.Response.data, 0, buf, (uint32_t)len);
        buf[len] = 0;
        printf("echo: %s\n", buf);
        fflush(stdout);
        sip_block_free(m.Response.data);
        nanosleep(&ts, NULL);
    }
}
