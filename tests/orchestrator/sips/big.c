/* A SIP whose module is larger than one ModuleData chunk (about 128 KiB of data), so the
 * node fetches it in pieces: prints the size of its data and a checksum, exits 0. */
#include <stdio.h>
#include <string.h>

#define S16   "0123456789abcdef"
#define S256  S16 S16 S16 S16 S16 S16 S16 S16 S16 S16 S16 S16 S16 S16 S16 S16
#define S4K   S256 S256 S256 S256 S256 S256 S256 S256 S256 S256 S256 S256 S256 S256 S256 S256
#define S64K  S4K S4K S4K S4K S4K S4K S4K S4K S4K S4K S4K S4K S4K S4K S4K S4K

static const char blob[] = S64K S64K;

int main(void)
{
    unsigned sum = 0;
    for (size_t i = 0; i < sizeof blob - 1; i++)
        sum = sum * 31 + (unsigned char)blob[i];
    printf("big: %zu bytes, sum %08x\n", strlen(blob), sum);
    return 0;
}
