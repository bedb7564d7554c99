/* pipe_sink: last stage of a pipeline. Prints every block it receives on "up", checks
 * they arrive in order, and answers Done with Finished(count seen). */
#include <stdio.h>
#include "sips/sdk/sip.h"
#include "apps/Stage.h"

int main(void)
{
    sip_ep up = sip_bind("up");
    uint64_t seen = 0;
    for (;;) {
        Stage_msg m;
        int32_t r = Stage_recv(up, &m);
        if (r == Stage_tag_Data) {
            char buf[257];
            int32_t n = sip_block_size(m.Data.block);
            if (n > 256)
                n = 256;
            sip_block_read(m.Data.block, 0, buf, (uint32_t)n);
            buf[n] = 0;
            sip_block_free(m.Data.block);
            printf("sink: #%llu %s\n", (unsigned long long)m.Data.seq, buf);
            if (m.Data.seq != seen++)
                return 1;
            Stage_send_Ack(up);
        } else if (r == Stage_tag_Done) {
            Stage_send_Finished(up, seen);
            printf("sink: %llu blocks, in order\n", (unsigned long long)seen);
            return m.Done.count == seen ? 0 : 1;
        } else {
            return 1;
        }
    }
}
