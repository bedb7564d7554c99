/* ep_broker: hands out endpoints. On "clients" (EndpointPass, exporting side) it answers
 * Lookup("echo") by creating a fresh Echo channel, announcing Ready on its own end, and
 * sending the importing end to the client inside a Found message -- the endpoint, with
 * the Ready already queued on it, moves to the client. Then it serves Echo on its end.
 * Any other name gets Missing. */
#include <stdio.h>
#include <string.h>
#include "sips/sdk/sip.h"
#include "contracts/EndpointPass.h"
#include "contracts/Echo.h"

int main(void)
{
    sip_ep clients = sip_bind("clients");
    sip_ep eps[2] = { clients, -1 };
    uint32_t n = 1;
    unsigned echoed = 0;
    for (;;) {
        int32_t which = sip_select(eps, n);
        if (which == 0) {
            EndpointPass_msg m;
            if (EndpointPass_recv(clients, &m) != EndpointPass_tag_Lookup)
                break;                                  /* closed (or not a lookup) */
            char name[32] = "";
            int32_t len = sip_block_size(m.Lookup.name);
            if (len > 31)
                len = 31;
            sip_block_read(m.Lookup.name, 0, name, (uint32_t)len);
            name[len] = 0;
            sip_block_free(m.Lookup.name);
            if (strcmp(name, "echo") || n == 2) {
                EndpointPass_send_Missing(clients);
                continue;
            }
            sip_ep imp, exp;
            if (sip_chan_create("Echo", &imp, &exp) < 0)
                return 1;
            Echo_send_Ready(exp);                       /* queued on imp, travels with it */
            EndpointPass_send_Found(clients, imp);      /* imp is no longer ours */
            printf("broker: gave away an Echo endpoint for '%s'\n", name);
            eps[n++] = exp;
        } else if (which == 1) {
            Echo_msg m;
            int32_t r = Echo_recv(eps[1], &m);
            if (r == SIP_ECLOSED) {
                sip_close(eps[1]);
                n = 1;
                continue;
            }
            if (r != Echo_tag_Request)
                return 1;
            Echo_send_Response(eps[1], m.Request.data);
            echoed++;
        } else {
            return 1;
        }
    }
    printf("broker: echoed %u requests\n", echoed);
    return 0;
}
