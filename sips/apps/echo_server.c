/* echo_server: serves the Echo contract on its endpoint "clients": announces Ready, then
 * answers every Request with a Response carrying the very same block (ownership goes to
 * the server and comes back; the bytes are never copied). Exits when the client leaves. */
#include <stdio.h>
#include "sips/sdk/sip.h"
#include "contracts/Echo.h"

int main(void)
{
    sip_ep ep = sip_bind("clients");
    if (ep < 0) {
        fprintf(stderr, "no endpoint 'clients' (%d)\n", ep);
        return 1;
    }
    Echo_send_Ready(ep);
    unsigned served = 0;
    for (;;) {
        Echo_msg m;
        int32_t r = Echo_recv(ep, &m);
        if (r == SIP_ECLOSED)
            break;
        if (r != Echo_tag_Request) {
            fprintf(stderr, "unexpected receive result %d\n", r);
            return 1;
        }
        Echo_send_Response(ep, m.Request.data);
        served++;
    }
    printf("served %u requests\n", served);
    return 0;
}
