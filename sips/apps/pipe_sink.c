/* pipe_sink: last stage of a pipeline. Grants credit on "up", prints every block it
 * receives, checks they arrive in order, and answers Done with Finished. */
#include <stdio.h>
#include "sips/sdk/sip.h"
#include "contracts/PipelineStage.h"

int main(void)
{
    sip_ep up = sip_bind("up");
    PipelineStage_send_Credit(up, 4);
    uint64_t expect = 0;
    for (;;) {
        PipelineStage_msg m;
        int32_t r = PipelineStage_recv(up, &m);
        if (r == PipelineStage_tag_Data) {
            char buf[257];
            int32_t n = sip_block_size(m.Data.block);
            if (n > 256)
                n = 256;
            sip_block_read(m.Data.block, 0, buf, (uint32_t)n);
            buf[n] = 0;
            sip_block_free(m.Data.block);
            printf("sink: #%llu %s\n", (unsigned long long)m.Data.seq, buf);
            if (m.Data.seq != expect++)
                return 1;
            PipelineStage_send_Credit(up, 1);
        } else if (r == PipelineStage_tag_Done) {
            PipelineStage_send_Finished(up);
            printf("sink: %llu blocks, in order\n", (unsigned long long)m.Done.count);
            return m.Done.count == expect ? 0 : 1;
        } else {
            return 1;
        }
    }
}
