/* ep_client: asks the broker on "broker" for the "echo" service, receives the importing
 * end of an Echo channel in the reply, and talks Echo over that endpoint it was given. */
#include <stdio.h>
#include <string.h>
#include "sips/sdk/sip.h"
#include "contracts/EndpointPass.h"
#include "contracts/Echo.h"

int main(void)
{
    sip_ep broker = sip_bind("broker");
    EndpointPass_send_Lookup(broker, sip_block_from("echo", 4));
    EndpointPass_msg pm;
    if (EndpointPass_recv(broker, &pm) != EndpointPass_tag_Found) {
        fprintf(stderr, "client: lookup failed\n");
        return 1;
    }
    sip_ep echo = pm.Found.client;
    EndpointPass_send_Lookup(broker, sip_block_from("nothing", 7));
    if (EndpointPass_recv(broker, &pm) != EndpointPass_tag_Missing)
        return 1;
    printf("client: got an endpoint; unknown names are refused\n");

    Echo_msg m;
    if (Echo_recv(echo, &m) != Echo_tag_Ready)       /* was queued before we owned it */
        return 1;
    const char *words[] = { "passed", "endpoints", "work" };
    for (int i = 0; i < 3; i++) {
        Echo_send_Request(echo, sip_block_from(words[i], (uint32_t)strlen(words[i])));
        if (Echo_recv(echo, &m) != Echo_tag_Response)
            return 1;
        char buf[32] = "";
        int32_t n = sip_block_size(m.Response.data);
        sip_block_read(m.Response.data, 0, buf, (uint32_t)n);
        sip_block_free(m.Response.data);
        printf("client: echo over passed endpoint: %s\n", buf);
    }
    return 0;
}
