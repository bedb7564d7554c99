/* stream_src (netchan benchmark): pours COUNT blocks of SIZE bytes down the Stream
 * endpoint "out", then Done, waits for the sink's Count and prints
 * "stream_ns=<first send to Count> n=<count>". Usage: stream_src COUNT SIZE */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sips/sdk/sip.h"

enum { Stream_Chunk = 0, Stream_Done = 1, Stream_Count = 2 };

int main(int argc, char **argv)
{
    int count = argc > 1 ? atoi(argv[1]) : 10000;
    int size = argc > 2 ? atoi(argv[2]) : 1024;
    sip_ep out = sip_bind("out");
    if (out < 0)
        return 1;
    static char buf[65536];
    memset(buf, 'x', sizeof buf);
    uint64_t t0 = sip_time_ns();
    for (int i = 0; i < count; i++) {
        sip_block b = sip_block_from(buf, (uint32_t)size);
        if (sip_send(out, Stream_Chunk, NULL, 0, &b, 1) < 0)
            return 1;
    }
    if (sip_send(out, Stream_Done, NULL, 0, NULL, 0) < 0)
        return 1;
    uint32_t tag;
    uint64_t n = 0;
    if (sip_recv(out, &tag, &n, sizeof n, NULL, 0) < 0 || tag != Stream_Count)
        return 1;
    uint64_t t1 = sip_time_ns();
    printf("stream_ns=%llu n=%llu\n", (unsigned long long)(t1 - t0), (unsigned long long)n);
    return 0;
}
