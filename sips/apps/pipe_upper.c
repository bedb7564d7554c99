/* pipe_upper: middle stage of a pipeline. Takes each block from "up" (acknowledging at
 * once, so the source can prepare the next one), upper-cases it in place -- the block
 * moved here, nothing is copied -- and passes it on "down"; Done/Finished pass through. */
#include <ctype.h>
#include <stdio.h>
#include "sips/sdk/sip.h"
#include "apps/Stage.h"

int main(void)
{
    sip_ep up = sip_bind("up"), down = sip_bind("down");
    uint64_t passed = 0;
    for (;;) {
        Stage_msg m, reply;
        int32_t r = Stage_recv(up, &m);
        if (r == Stage_tag_Data) {
            Stage_send_Ack(up);
            char buf[256];
            int32_t n = sip_block_size(m.Data.block);
            if (n > (int32_t)sizeof buf)
                n = sizeof buf;
            sip_block_read(m.Data.block, 0, buf, (uint32_t)n);
            for (int32_t i = 0; i < n; i++)
                buf[i] = (char)toupper((unsigned char)buf[i]);
            sip_block_write(m.Data.block, 0, buf, (uint32_t)n);
            Stage_send_Data(down, m.Data.seq, m.Data.block);
            if (Stage_recv(down, &reply) != Stage_tag_Ack)
                return 1;
            passed++;
        } else if (r == Stage_tag_Done) {
            Stage_send_Done(down, m.Done.count);
            if (Stage_recv(down, &reply) != Stage_tag_Finished)
                return 1;
            Stage_send_Finished(up, reply.Finished.count);
            break;
        } else {
            return 1;
        }
    }
    printf("upper: passed %llu blocks\n", (unsigned long long)passed);
    return 0;
}
