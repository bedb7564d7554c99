/* Test SIP: getentropy fills buffers with bytes that are not constant and differ between
 * calls. Prints "random ok" or the failure. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(void)
{
    unsigned char a[64], b[64];
    memset(a, 0, sizeof a);
    memset(b, 0, sizeof b);
    if (getentropy(a, sizeof a) != 0 || getentropy(b, sizeof b) != 0) {
        printf("random BAD getentropy failed\n");
        return 1;
    }
    int distinct = 0;
    for (int i = 1; i < 64; i++) distinct += a[i] != a[0];
    if (!memcmp(a, b, sizeof a) || distinct == 0) {
        printf("random BAD bytes\n");
        return 1;
    }
    printf("random ok\n");
    return 0;
}
