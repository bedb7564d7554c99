/* Hostile SIP: grabs linear memory until the node refuses, then grabs exchange-heap blocks
 * until its quota refuses. Prints how far it got; must stay within its quotas. */
#include <stdio.h>
#include <stdlib.h>
#include "sips/sdk/sip.h"

int main(void)
{
    unsigned mib = 0, blocks = 0;
    while (malloc(1 << 20))
        mib++;
    while (sip_block_alloc(65536) >= 0)
        blocks++;
    printf("membomb: got %u MiB of memory and %u blocks of 64 KiB\n", mib, blocks);
    return 0;
}
