/* stream_client: streams N numbered blocks ("block I") to the server wired as "down"
 * (Stage contract), one at a time, sleeping argv[2] ms between them, then Done; prints
 * the count the server confirmed. Used to migrate the server mid-conversation. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "sips/sdk/sip.h"
#include "apps/Stage.h"

int main(int argc, char **argv)
{
    sip_ep down = sip_bind("down");
    uint64_t n = argc > 1 ? strtoull(argv[1], NULL, 10) : 100;
    long pause_ms = argc > 2 ? atol(argv[2]) : 5;
    struct timespec ts = { pause_ms / 1000, (pause_ms % 1000) * 1000000L };
    Stage_msg m;
    for (uint64_t i = 0; i < n; i++) {
        char text[32];
        int len = snprintf(text, sizeof text, "block %llu", (unsigned long long)i);
        Stage_send_Data(down, i, sip_block_from(text, (uint32_t)len));
        if (Stage_recv(down, &m) != Stage_tag_Ack) {
            fprintf(stderr, "client: no Ack for block %llu\n", (unsigned long long)i);
            return 1;
        }
        if (pause_ms)
            nanosleep(&ts, NULL);
    }
    Stage_send_Done(down, n);
    if (Stage_recv(down, &m) != Stage_tag_Finished) {
        fprintf(stderr, "client: no Finished\n");
        return 1;
    }
    printf("client: sent %llu, server counted %llu\n", (unsigned long long)n,
           (unsigned long long)m.Finished.count);
    return m.Finished.count == n ? 0 : 1;
}
