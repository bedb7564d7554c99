/* Hostile SIP: allocates exchange-heap blocks until its heap quota refuses, then keeps
 * asking. Prints how many it got; the kernel must hold it to its quota. */
#include <stdio.h>
#include "sips/sdk/sip.h"

int main(void)
{
    unsigned blocks = 0, refused = 0;
    for (int i = 0; i < 10000; i++) {
        if (sip_block_alloc(65536) >= 0)
            blocks++;
        else
            refused++;
    }
    printf("heapbomb: got %u blocks of 64 KiB, %u refused\n", blocks, refused);
    return 0;
}
