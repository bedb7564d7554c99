/* stream_sink (netchan benchmark): takes Chunks from the Stream endpoint "in", frees
 * them, and answers Done with the number taken. */
#include <stdio.h>
#include "sips/sdk/sip.h"

enum { Stream_Chunk = 0, Stream_Done = 1, Stream_Count = 2 };

int main(void)
{
    sip_ep in = sip_bind("in");
    if (in < 0)
        return 1;
    uint64_t n = 0;
    for (;;) {
        uint32_t tag;
        sip_block h[1];
        if (sip_recv(in, &tag, NULL, 0, h, 1) < 0)
            return 1;
        if (tag == Stream_Done)
            break;
        sip_block_free(h[0]);
        n++;
    }
    return sip_send(in, Stream_Count, &n, sizeof n, NULL, 0) < 0;
}
