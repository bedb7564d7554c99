/* Hostile SIP: holds the importing end of an Echo channel ("server") and sends a message
 * only the exporter may send. The send fails, the SIP traps, the server sees the close. */
#include "sips/sdk/sip.h"
#include "contracts/Echo.h"

int main(void)
{
    sip_ep ep = sip_bind("server");
    Echo_msg m;
    Echo_recv(ep, &m);                          /* Ready */
    Echo_send_Response(ep, sip_block_alloc(4)); /* wrong direction */
    return 0;
}
