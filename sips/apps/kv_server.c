/* kv_server: a key-value store behind the KeyValue contract on endpoint "clients". Keys
 * and values arrive as exchange-heap blocks; the store keeps the value blocks themselves
 * (no copy) and hands back a fresh copy on Get. Exits on Close or when the client leaves. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sips/sdk/sip.h"
#include "contracts/KeyValue.h"

typedef struct entry {
    char *key;
    sip_block value;
    struct entry *next;
} entry;

static entry *table;

/* The block's bytes as a NUL-terminated string (malloc'd); the block is freed. */
static char *take_string(sip_block b)
{
    int32_t n = sip_block_size(b);
    char *s = malloc((size_t)n + 1);
    sip_block_read(b, 0, s, (uint32_t)n);
    s[n] = 0;
    sip_block_free(b);
    return s;
}

static entry **find(const char *key)
{
    entry **pp = &table;
    while (*pp && strcmp((*pp)->key, key))
        pp = &(*pp)->next;
    return pp;
}

static sip_block copy_block(sip_block b)
{
    int32_t n = sip_block_size(b);
    char *tmp = malloc((size_t)n + 1);
    sip_block_read(b, 0, tmp, (uint32_t)n);
    sip_block c = sip_block_from(tmp, (uint32_t)n);
    free(tmp);
    return c;
}

int main(void)
{
    sip_ep ep = sip_bind("clients");
    unsigned ops = 0;
    for (;;) {
        KeyValue_msg m;
        int32_t r = KeyValue_recv(ep, &m);
        if (r < 0)
            break;
        ops++;
        if (r == KeyValue_tag_Close)
            break;
        if (r == KeyValue_tag_Put) {
            char *key = take_string(m.Put.key);
            entry **pp = find(key);
            if (*pp) {
                sip_block_free((*pp)->value);
                (*pp)->value = m.Put.value;
                free(key);
            } else {
                entry *e = malloc(sizeof *e);
                e->key = key;
                e->value = m.Put.value;
                e->next = table;
                table = e;
            }
            KeyValue_send_Ok(ep);
        } else if (r == KeyValue_tag_Get) {
            char *key = take_string(m.Get.key);
            entry **pp = find(key);
            free(key);
            if (*pp)
                KeyValue_send_Value(ep, copy_block((*pp)->value));
            else
                KeyValue_send_NotFound(ep);
        } else if (r == KeyValue_tag_Delete) {
            char *key = take_string(m.Delete.key);
            entry **pp = find(key);
            free(key);
            if (*pp) {
                entry *e = *pp;
                *pp = e->next;
                sip_block_free(e->value);
                free(e->key);
                free(e);
                KeyValue_send_Ok(ep);
            } else {
                KeyValue_send_NotFound(ep);
            }
        }
    }
    printf("kv_server: %u operations\n", ops);
    return 0;
}
