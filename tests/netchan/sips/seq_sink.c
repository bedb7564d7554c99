/* seq_sink (netchan link-fault test): prints every Chunk from the Stream endpoint "in"
 * as "got m<i>" (so the test can check each arrived exactly once and in order), answers
 * Done with the number taken. Exits 2 if the channel closes under it. */
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
        if (sip_recv(in, &tag, NULL, 0, h, 1) < 0) {
            printf("seq_sink: channel closed after %llu\n", (unsigned long long)n);
            return 2;
        }
        if (tag == Stream_Done)
            break;
        char buf[32];
        int32_t len = sip_block_size(h[0]);
        if (len < 0 || len > (int32_t)sizeof buf - 1)
            len = 0;
        sip_block_read(h[0], 0, buf, (uint32_t)len);
        buf[len] = 0;
        printf("got %s\n", buf);
        fflush(stdout);
        sip_block_free(h[0]);
        n++;
    }
    return sip_send(in, Stream_Count, &n, sizeof n, NULL, 0) < 0;
}
