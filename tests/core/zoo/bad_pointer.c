/* Hostile SIP: passes the kernel a pointer outside its linear memory. Must trap. */
#include "sips/sdk/sip.h"

int main(void)
{
    sip_block b = sip_block_alloc(64);
    return sip_block_read(b, 0, (void *)0xFFFFFFF0u, 64);
}
