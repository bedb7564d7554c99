/* Hostile SIP: frees a block twice. Must trap. */
#include "sips/sdk/sip.h"

int main(void)
{
    sip_block b = sip_block_alloc(16);
    sip_block_free(b);
    sip_block_free(b);
    return 0;
}
