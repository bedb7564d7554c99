/* pipe_source: first stage of a pipeline. Pushes N text blocks (argv[1], default 10)
 * downstream on "down" under the Stage contract, each once the previous was taken, then
 * Done, and checks the count in Finished. */
#include <stdio.h>
#include <stdlib.h>
#include "sips/sdk/sip.h"
#include "apps/Stage.h"

int main(int argc, char **argv)
{
    sip_ep down = sip_bind("down");
    uint64_t n = argc > 1 ? strtoull(argv[1], NULL, 10) : 10;
    Stage_msg m;
    for (uint64_t i = 0; i < n; i++) {
        char text[64];
        int len = snprintf(text, sizeof text, "item %llu of %llu", (unsigned long long)i + 1,
                           (unsigned long long)n);
        Stage_send_Data(down, i, sip_block_from(text, (uint32_t)len));
        if (Stage_recv(down, &m) != Stage_tag_Ack)
            return 1;
    }
    Stage_send_Done(down, n);
    if (Stage_recv(down, &m) != Stage_tag_Finished || m.Finished.count != n)
        return 1;
    printf("source: sent %llu blocks\n", (unsigned long long)n);
    return 0;
}
