/* pair_giver (netchan tests): makes an Echo channel, has its exporting end say Ready,
 * then sends both ends in one Both message down the Pair endpoint "out" (to another
 * node) and prints the Result that comes back. */
#include <stdio.h>
#include "sips/sdk/sip.h"

enum { Pair_Both = 0, Pair_Result = 1 };
enum { Echo_Request = 0, Echo_Response = 1, Echo_Ready = 2 };

int main(void)
{
    sip_ep out = sip_bind("out");
    sip_ep imp, exp;
    if (out < 0 || sip_chan_create("Echo", &imp, &exp) < 0)
        return 1;
    if (sip_send(exp, Echo_Ready, NULL, 0, NULL, 0) < 0)      /* queued at imp: it travels */
        return 1;
    sip_block both[2] = { imp, exp };
    if (sip_send(out, Pair_Both, NULL, 0, both, 2) < 0)
        return 1;
    uint32_t tag;
    sip_block h[1];
    if (sip_recv(out, &tag, NULL, 0, h, 1) < 0 || tag != Pair_Result) {
        printf("giver: no result\n");
        return 2;
    }
    char buf[128];
    int32_t len = sip_block_size(h[0]);
    if (len < 0 || len > (int32_t)sizeof buf - 1)
        len = 0;
    sip_block_read(h[0], 0, buf, (uint32_t)len);
    buf[len] = 0;
    printf("giver: %s\n", buf);
    sip_block_free(h[0]);
    return 0;
}
