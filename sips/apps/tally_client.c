/* tally_client: adds each of its arguments (integers) to the Tally server wired as "tally"
 * and prints the running total after each one. */
#include <stdio.h>
#include <stdlib.h>
#include "sips/sdk/sip.h"
#include "apps/Tally.h"

int main(int argc, char **argv)
{
    sip_ep ep = sip_bind("tally");
    if (ep < 0) {
        fprintf(stderr, "endpoint 'tally': %s (is it in the manifest?)\n", sip_strerror(ep));
        return 1;
    }
    for (int i = 1; i < argc; i++) {
        Tally_send_Add(ep, atoi(argv[i]));
        Tally_send_Total(ep);
        Tally_msg m;
        if (Tally_recv(ep, &m) != Tally_tag_Sum) {
            fprintf(stderr, "no Sum from the server\n");
            return 1;
        }
        printf("after %s: %lld\n", argv[i], (long long)m.Sum.total);
    }
    return 0;
}
