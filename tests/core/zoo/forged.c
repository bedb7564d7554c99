/* Hostile SIP: makes up handle numbers, hoping to reach another SIP's blocks. Must trap. */
#include "sips/sdk/sip.h"

int main(void)
{
    sip_block mine = sip_block_alloc(8);
    sip_block guess = mine + 1;                 /* the next slot, same generation */
    char buf[8];
    return sip_block_read(guess, 0, buf, 8);
}
