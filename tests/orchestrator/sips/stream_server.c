/* stream_server: receives numbered blocks on "up" (Stage contract) and checks each one:
 * its number must be the next expected one and its text "block N". At Done it prints one
 * line -- count, how many were out of order or damaged, and a checksum of the sequence --
 * which is the same for every run that lost, duplicated and reordered nothing. */
#include <stdio.h>
#include <string.h>
#include "sips/sdk/sip.h"
#include "apps/Stage.h"

int main(void)
{
    sip_ep up = sip_bind("up");
    uint64_t expect = 0, bad = 0, sum = 0;
    Stage_msg m;
    for (;;) {
        int tag = Stage_recv(up, &m);
        if (tag == Stage_tag_Data) {
            char text[32], want[32];
            int32_t len = sip_block_size(m.Data.block);
            if (len < 0 || len > (int32_t)sizeof text - 1)
                len = 0;
            sip_block_read(m.Data.block, 0, text, (uint32_t)len);
            text[len] = 0;
            sip_block_free(m.Data.block);
            snprintf(want, sizeof want, "block %llu", (unsigned long long)m.Data.seq);
            if (m.Data.seq != expect || strcmp(text, want))
                bad++;
            expect = m.Data.seq + 1;
            sum = sum * 31 + m.Data.seq + 1;
            Stage_send_Ack(up);
        } else if (tag == Stage_tag_Done) {
            printf("server: %llu blocks, %llu out of order or damaged, checksum %016llx\n",
                   (unsigned long long)expect, (unsigned long long)bad, (unsigned long long)sum);
            Stage_send_Finished(up, expect);
            return bad ? 1 : 0;
        } else {
            fprintf(stderr, "server: channel closed after %llu blocks\n", (unsigned long long)expect);
            return 1;
        }
    }
}
