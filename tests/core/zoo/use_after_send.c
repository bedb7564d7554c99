/* Hostile SIP: sends a block to the echo server, then writes to it. Must trap. */
#include "sips/sdk/sip.h"
#include "contracts/Echo.h"

int main(void)
{
    sip_ep ep = sip_bind("server");
    Echo_msg m;
    Echo_recv(ep, &m);
    sip_block b = sip_block_from("mine", 4);
    Echo_send_Request(ep, b);
    sip_block_write(b, 0, "gone", 4);           /* the block belongs to the server now */
    return 0;
}
