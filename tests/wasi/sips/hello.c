/* Test SIP: plain stdio output on both log streams, then a normal return from main. */
#include <stdio.h>

int main(void)
{
    printf("hello from a SIP\n");
    printf("%d %s %.3f %x\n", 42, "words", 3.14159, 0xbeefu);
    fprintf(stderr, "to stderr\n");
    fputs("no newline at the end", stdout);
    return 0;
}
