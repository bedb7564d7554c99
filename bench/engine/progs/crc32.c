/* bench: table-driven CRC-32 (the IEEE 802.3 polynomial, reflected) and Adler-32 over a
 * generated buffer, many passes. Size = megabytes checksummed. */
#include "bench_common.h"

static uint32_t table[256];

static void make_table(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++) c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        table[i] = c;
    }
}

static uint32_t crc32(uint32_t crc, const uint8_t *p, size_t n)
{
    crc = ~crc;
    while (n--) crc = table[(crc ^ *p++) & 0xFF] ^ (crc >> 8);
    return ~crc;
}

static uint32_t adler32(uint32_t adler, const uint8_t *p, size_t n)
{
    uint32_t a = adler & 0xFFFF, b = adler >> 16;
    while (n > 0) {
        size_t chunk = n < 5552 ? n : 5552;
        n -= chunk;
        while (chunk--) { a += *p++; b += a; }
        a %= 65521;
        b %= 65521;
    }
    return b << 16 | a;
}

int main(int argc, char **argv)
{
    long mb = bench_size(argc, argv, 48);
    enum { LEN = 1 << 20 };
    static uint8_t buf[LEN];
    make_table();
    for (int i = 0; i < LEN; i++) buf[i] = (uint8_t)bench_rand();
    uint32_t crc = 0, adler = 1;
    for (long pass = 0; pass < mb; pass++) {
        crc = crc32(crc, buf, LEN);
        if ((pass & 3) == 0) adler = adler32(adler, buf, LEN);
        buf[pass % LEN] ^= (uint8_t)crc;
    }
    bench_result("crc32", (uint64_t)crc << 32 | adler);
    return 0;
}
