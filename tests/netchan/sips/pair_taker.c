/* pair_taker (netchan tests): takes both ends of an Echo channel in one Both message from
 * the Pair endpoint "in", then plays client and server over them itself (3 requests),
 * and answers with "pair ok: <echoes>" or what went wrong. */
#include <stdio.h>
#include <string.h>
#include "sips/sdk/sip.h"

enum { Pair_Both = 0, Pair_Result = 1 };
enum { Echo_Request = 0, Echo_Response = 1, Echo_Ready = 2 };

static int answer(sip_ep in, const char *text)
{
    sip_block b = sip_block_from(text, (uint32_t)strlen(text));
    printf("taker: %s\n", text);
    return sip_send(in, Pair_Result, NULL, 0, &b, 1) < 0;
}

int main(void)
{
    sip_ep in = sip_bind("in");
    uint32_t tag;
    sip_block h[2];
    if (in < 0 || sip_recv(in, &tag, NULL, 0, h, 2) < 0 || tag != Pair_Both)
        return 1;
    sip_ep cli = h[0], srv = h[1];
    if (sip_recv(cli, &tag, NULL, 0, NULL, 0) < 0 || tag != Echo_Ready)
        return answer(in, "no Ready on the client end");
    char text[96] = "pair ok:";
    size_t used = strlen(text);
    const char *words[] = { "one", "two", "three" };
    for (int i = 0; i < 3; i++) {
        sip_block b = sip_block_from(words[i], (uint32_t)strlen(words[i]));
        if (sip_send(cli, Echo_Request, NULL, 0, &b, 1) < 0)
            return answer(in, "request failed");
        sip_block r[1];
        if (sip_recv(srv, &tag, NULL, 0, r, 1) < 0 || tag != Echo_Request)
            return answer(in, "the server end got no request");
        if (sip_send(srv, Echo_Response, NULL, 0, r, 1) < 0)
            return answer(in, "response failed");
        if (sip_recv(cli, &tag, NULL, 0, r, 1) < 0 || tag != Echo_Response)
            return answer(in, "the client end got no response");
        int32_t len = sip_block_size(r[0]);
        if (len < 0 || len > 15)
            len = 0;
        text[used++] = ' ';
        sip_block_read(r[0], 0, text + used, (uint32_t)len);
        used += (size_t)len;
        text[used] = 0;
        sip_block_free(r[0]);
    }
    return answer(in, text);
}
