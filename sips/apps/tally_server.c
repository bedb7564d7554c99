/* tally_server: serves the Tally contract on its endpoint "clients": adds up every Add,
 * answers Total with the sum so far, and prints the final sum when the client leaves. */
#include <stdio.h>
#include "sips/sdk/sip.h"
#include "apps/Tally.h"

int main(void)
{
    sip_ep ep = sip_bind("clients");
    if (ep < 0) {
        fprintf(stderr, "endpoint 'clients': %s (is it in the manifest?)\n", sip_strerror(ep));
        return 1;
    }
    int64_t sum = 0;
    for (;;) {
        Tally_msg m;
        int32_t r = Tally_recv(ep, &m);
        if (r == SIP_ECLOSED)
            break;
        if (r == Tally_tag_Add) {
            sum += m.Add.n;
        } else if (r == Tally_tag_Total) {
            Tally_send_Sum(ep, sum);
        } else {
            fprintf(stderr, "receive: %s\n", r < 0 ? sip_strerror(r) : "unexpected message");
            return 1;
        }
    }
    printf("client left, total %lld\n", (long long)sum);
    return 0;
}
