/* seq_src (netchan link-fault test): sends COUNT numbered Chunks ("m1", "m2", ...) down
 * the Stream endpoint "out", one every INTERVAL_US microseconds, then Done; waits for the
 * sink's Count and prints "seq_src: sent N, sink counted M". Exits 2 if the channel
 * closes under it (printing how far it got). Usage: seq_src COUNT INTERVAL_US */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "sips/sdk/sip.h"

enum { Stream_Chunk = 0, Stream_Done = 1, Stream_Count = 2 };

int main(int argc, char **argv)
{
    int count = argc > 1 ? atoi(argv[1]) : 100;
    long interval_us = argc > 2 ? atol(argv[2]) : 1000;
    sip_ep out = sip_bind("out");
    if (out < 0)
        return 1;
    for (int i = 1; i <= count; i++) {
        char word[24];
        int len = snprintf(word, sizeof word, "m%d", i);
        sip_block b = sip_block_from(word, (uint32_t)len);
        if (sip_send(out, Stream_Chunk, NULL, 0, &b, 1) < 0) {
            printf("seq_src: channel closed after %d sent\n", i - 1);
            return 2;
        }
        struct timespec ts = { interval_us / 1000000, (interval_us % 1000000) * 1000 };
        nanosleep(&ts, NULL);
    }
    if (sip_send(out, Stream_Done, NULL, 0, NULL, 0) < 0) {
        printf("seq_src: channel closed before Done\n");
        return 2;
    }
    uint32_t tag;
    uint64_t n = 0;
    if (sip_recv(out, &tag, &n, sizeof n, NULL, 0) < 0 || tag != Stream_Count) {
        printf("seq_src: channel closed before Count\n");
        return 2;
    }
    printf("seq_src: sent %d, sink counted %llu\n", count, (unsigned long long)n);
    return 0;
}
