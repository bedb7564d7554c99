/* pipe_source: first stage of a pipeline. Pushes N text blocks (argv[1], default 10)
 * downstream on "down" under the PipelineStage contract, sending only while it holds
 * credit, then Done, and waits for Finished. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sips/sdk/sip.h"
#include "contracts/PipelineStage.h"

int main(int argc, char **argv)
{
    sip_ep down = sip_bind("down");
    uint64_t n = argc > 1 ? strtoull(argv[1], NULL, 10) : 10, sent = 0;
    uint32_t credit = 0;
    while (sent < n) {
        while (credit == 0) {
            PipelineStage_msg m;
            if (PipelineStage_recv(down, &m) != PipelineStage_tag_Credit)
                return 1;
            credit += m.Credit.blocks;
        }
        char text[64];
        int len = snprintf(text, sizeof text, "item %llu of %llu", (unsigned long long)sent + 1,
                           (unsigned long long)n);
        PipelineStage_send_Data(down, sent, sip_block_from(text, (uint32_t)len));
        sent++;
        credit--;
    }
    PipelineStage_send_Done(down, sent);
    for (;;) {                                  /* late credit may still arrive */
        PipelineStage_msg m;
        int32_t r = PipelineStage_recv(down, &m);
        if (r == PipelineStage_tag_Finished)
            break;
        if (r < 0)
            return 1;
    }
    printf("source: sent %llu blocks\n", (unsigned long long)sent);
    return 0;
}
