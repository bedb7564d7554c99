/* compute: a migration test SIP that keeps state everywhere a SIP can -- a linear-memory
 * buffer (argv[1] KiB, default 256, filled with pseudo-random bytes), deep C recursion
 * (engine frames), an exchange-heap block, a channel to itself with a message queued on
 * it, a short sleep -- and mixes it all into one number it prints at the end. argv[2] is
 * the number of mixing rounds (default 40). A migrated run must print the same line as an
 * unmigrated one. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "sips/sdk/sip.h"
#include "contracts/Echo.h"

static uint64_t mix(uint64_t h, uint64_t v)
{
    h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
    return h * 0xff51afd7ed558ccdull;
}

/* recursion keeps part of the state in engine call frames across slices */
static uint64_t walk(const uint8_t *buf, size_t n, size_t depth, uint64_t h)
{
    if (depth == 0 || n < 64)
        return mix(h, buf[0]);
    size_t half = n / 2;
    uint64_t a = walk(buf, half, depth - 1, h);
    uint64_t b = walk(buf + half, n - half, depth - 1, a);
    return mix(a, b);
}

int main(int argc, char **argv)
{
    size_t kib = argc > 1 ? strtoul(argv[1], NULL, 10) : 256;
    unsigned rounds = argc > 2 ? (unsigned)strtoul(argv[2], NULL, 10) : 40;
    size_t n = kib * 1024;
    uint8_t *buf = malloc(n);
    if (!buf)
        return 2;
    uint64_t x = 88172645463325252ull;
    for (size_t i = 0; i < n; i++) {
        x ^= x << 13; x ^= x >> 7; x ^= x << 17;
        buf[i] = (uint8_t)x;
    }
    sip_ep imp, exp;
    if (sip_chan_create("Echo", &imp, &exp) < 0)
        return 3;
    Echo_send_Ready(exp);                       /* stays queued at imp until the end */
    sip_block blk = sip_block_from("state in the exchange heap", 26);
    uint64_t h = 1;
    for (unsigned r = 0; r < rounds; r++) {
        for (size_t i = 0; i < n; i += 8) {
            uint64_t v;
            memcpy(&v, buf + i, 8);
            h = mix(h, v);
            v ^= h;
            memcpy(buf + i, &v, 8);
        }
        h = walk(buf, n, 12, h);
        if (r == rounds / 2)
            usleep(2000);                       /* a sleep may be migrated too */
    }
    Echo_msg m;
    if (Echo_recv(imp, &m) != Echo_tag_Ready)
        return 4;
    char text[32] = { 0 };
    sip_block_read(blk, 0, text, 26);
    for (int i = 0; i < 26; i++)
        h = mix(h, (uint8_t)text[i]);
    printf("result %016llx\n", (unsigned long long)h);
    return 0;
}
