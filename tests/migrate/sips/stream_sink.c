/* stream_sink: the receiving end of a numbered stream under the Stage contract (on "up";
 * the sender is sips/apps/pipe_source). Checks that every Data carries the next number
 * and the text "item N of M" for it, acknowledges each, and at Done prints how many
 * arrived and a checksum. Exits 1 on a gap, duplicate, reordering or wrong content. */
#include <stdio.h>
#include <string.h>
#include "sips/sdk/sip.h"
#include "apps/Stage.h"

int main(void)
{
    sip_ep up = sip_bind("up");
    uint64_t seen = 0, sum = 0;
    for (;;) {
        Stage_msg m;
        int32_t r = Stage_recv(up, &m);
        if (r == Stage_tag_Data) {
            char buf[128], want[64];
            int32_t n = sip_block_size(m.Data.block);
            if (n < 0 || n > 127)
                return 1;
            sip_block_read(m.Data.block, 0, buf, (uint32_t)n);
            buf[n] = 0;
            sip_block_free(m.Data.block);
            snprintf(want, sizeof want, "item %llu of ", (unsigned long long)seen + 1);
            if (m.Data.seq != seen || strncmp(buf, want, strlen(want))) {
                printf("sink: expected #%llu, got #%llu \"%s\"\n", (unsigned long long)seen,
                       (unsigned long long)m.Data.seq, buf);
                return 1;
            }
            seen++;
            sum = sum * 31 + m.Data.seq;
            Stage_send_Ack(up);
        } else if (r == Stage_tag_Done) {
            Stage_send_Finished(up, seen);
            printf("sink: %llu in order, sum %llu\n", (unsigned long long)seen,
                   (unsigned long long)sum);
            return m.Done.count == seen ? 0 : 1;
        } else {
            printf("sink: receive failed %d\n", r);
            return 1;
        }
    }
}
