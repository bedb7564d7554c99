/* pipe_upper: middle stage of a pipeline. Receives blocks on "up", upper-cases them in
 * place (the block moved here; no copy), forwards them on "down" as downstream credit
 * allows, and passes Done / Finished through. */
#include <ctype.h>
#include <stdio.h>
#include "sips/sdk/sip.h"
#include "contracts/PipelineStage.h"

#define WINDOW 4

static uint32_t credit;

static int wait_credit(sip_ep down)
{
    while (credit == 0) {
        PipelineStage_msg m;
        if (PipelineStage_recv(down, &m) != PipelineStage_tag_Credit)
            return -1;
        credit += m.Credit.blocks;
    }
    return 0;
}

int main(void)
{
    sip_ep up = sip_bind("up"), down = sip_bind("down");
    PipelineStage_send_Credit(up, WINDOW);
    uint64_t passed = 0;
    for (;;) {
        PipelineStage_msg m;
        int32_t r = PipelineStage_recv(up, &m);
        if (r == PipelineStage_tag_Data) {
            char buf[256];
            int32_t n = sip_block_size(m.Data.block);
            if (n > (int32_t)sizeof buf)
                n = sizeof buf;
            sip_block_read(m.Data.block, 0, buf, (uint32_t)n);
            for (int32_t i = 0; i < n; i++)
                buf[i] = (char)toupper((unsigned char)buf[i]);
            sip_block_write(m.Data.block, 0, buf, (uint32_t)n);
            if (wait_credit(down))
                return 1;
            PipelineStage_send_Data(down, m.Data.seq, m.Data.block);
            credit--;
            PipelineStage_send_Credit(up, 1);
            passed++;
        } else if (r == PipelineStage_tag_Done) {
            PipelineStage_send_Done(down, m.Done.count);
            do {
                r = PipelineStage_recv(down, &m);
            } while (r == PipelineStage_tag_Credit);
            if (r != PipelineStage_tag_Finished)
                return 1;
            PipelineStage_send_Finished(up);
            break;
        } else {
            return 1;
        }
    }
    printf("upper: passed %llu blocks\n", (unsigned long long)passed);
    return 0;
}
