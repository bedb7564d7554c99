/* kv_client: exercises the key-value store wired as "store": puts, gets, overwrites,
 * deletes, a miss, then Close. Prints each answer; exits 1 if an answer is wrong. */
#include <stdio.h>
#include <string.h>
#include "sips/sdk/sip.h"
#include "contracts/KeyValue.h"

static sip_ep ep;
static int wrong;

static sip_block str_block(const char *s) { return sip_block_from(s, (uint32_t)strlen(s)); }

static void put(const char *k, const char *v)
{
    KeyValue_send_Put(ep, str_block(k), str_block(v));
    KeyValue_msg m;
    int32_t r = KeyValue_recv(ep, &m);
    printf("put %s=%s -> %s\n", k, v, r == KeyValue_tag_Ok ? "ok" : "error");
    if (r != KeyValue_tag_Ok)
        wrong++;
}

static void get(const char *k, const char *want)
{
    KeyValue_send_Get(ep, str_block(k));
    KeyValue_msg m;
    int32_t r = KeyValue_recv(ep, &m);
    char buf[128] = "";
    if (r == KeyValue_tag_Value) {
        int32_t n = sip_block_size(m.Value.value);
        if (n > 127)
            n = 127;
        sip_block_read(m.Value.value, 0, buf, (uint32_t)n);
        buf[n] = 0;
        sip_block_free(m.Value.value);
        printf("get %s -> %s\n", k, buf);
    } else {
        printf("get %s -> not found\n", k);
    }
    if (want ? (r != KeyValue_tag_Value || strcmp(buf, want)) : r != KeyValue_tag_NotFound)
        wrong++;
}

static void del(const char *k, int32_t want)
{
    KeyValue_send_Delete(ep, str_block(k));
    KeyValue_msg m;
    int32_t r = KeyValue_recv(ep, &m);
    printf("delete %s -> %s\n", k, r == KeyValue_tag_Ok ? "ok" : "not found");
    if (r != want)
        wrong++;
}

int main(void)
{
    ep = sip_bind("store");
    put("colour", "blue");
    put("shape", "circle");
    get("colour", "blue");
    put("colour", "green");
    get("colour", "green");
    del("shape", KeyValue_tag_Ok);
    get("shape", NULL);
    del("shape", KeyValue_tag_NotFound);
    KeyValue_send_Close(ep);
    printf("kv_client: %s\n", wrong ? "WRONG ANSWERS" : "all answers right");
    return wrong ? 1 : 0;
}
