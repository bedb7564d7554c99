/* ep_relay (netchan tests): a broker that owns no service itself. It was wired an Echo
 * endpoint "echo" whose server runs elsewhere (on a third node); it answers the first
 * Lookup("echo") on "clients" (EndpointPass, exporting side) by sending that very
 * endpoint in Found, so the client talks to the server directly from then on. Every
 * other lookup gets Missing. Exits when the client leaves. */
#include <stdio.h>
#include <string.h>
#include "sips/sdk/sip.h"
#include "contracts/EndpointPass.h"
#include "contracts/Echo.h"

int main(void)
{
    sip_ep clients = sip_bind("clients");
    sip_ep echo = sip_bind("echo");
    if (clients < 0 || echo < 0) {
        fprintf(stderr, "relay: endpoints not wired\n");
        return 1;
    }
    for (;;) {
        EndpointPass_msg m;
        if (EndpointPass_recv(clients, &m) != EndpointPass_tag_Lookup)
            break;
        char name[32] = "";
        int32_t len = sip_block_size(m.Lookup.name);
        if (len > 31)
            len = 31;
        sip_block_read(m.Lookup.name, 0, name, (uint32_t)len);
        name[len] = 0;
        sip_block_free(m.Lookup.name);
        if (strcmp(name, "echo") || echo < 0) {
            EndpointPass_send_Missing(clients);
            continue;
        }
        EndpointPass_send_Found(clients, echo);         /* the endpoint leaves this SIP */
        echo = -1;
        printf("relay: passed the echo endpoint on\n");
    }
    return 0;
}
