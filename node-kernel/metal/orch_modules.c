/* orch_modules.c: the orchestrator agent's modules (see orch_modules.h). A fetch asks
 * for a module by hash with ModuleFetch and collects the ModuleData answers (whole, or
 * in chunks continued from the next offset); the bytes are validated as a module and
 * their SHA-256 checked against the hash asked for before the module is cached. */
#include <string.h>
#include "node-kernel/core/wasm_sip.h"
#include "node-kernel/metal/orch_modules.h"
#include "node-kernel/metal/heap.h"
#include "node-kernel/metal/kprintf.h"

#define MAX_MODULE_BYTES  (16u << 20)

struct fetch { struct fetch *next; uint8_t hash[32]; uint8_t *buf; size_t got, total; };
struct modc  { struct modc *next; uint8_t hash[32]; wasm_module *m; };

static struct fetch *fetches;       /* in flight */
static struct modc *modules;        /* fetched and verified, kept for the node's life */

const wasm_module *orch_module_cached(const uint8_t *hash)
{
    for (struct modc *c = modules; c; c = c->next)
        if (!memcmp(c->hash, hash, 32)) return c->m;
    return NULL;
}

static void send_fetch(const uint8_t *hash, uint64_t offset)
{
    Orch__ModuleFetch f = ORCH__MODULE_FETCH__INIT;
    f.hash.data = (uint8_t *)hash;
    f.hash.len = 32;
    f.offset = offset;
    Orch__NodeToOrch msg = ORCH__NODE_TO_ORCH__INIT;
    msg.body_case = ORCH__NODE_TO_ORCH__BODY_MODULE_FETCH;
    msg.module_fetch = &f;
    orch_agent_send(&msg);
}

void orch_module_want(const uint8_t *hash)
{
    for (struct fetch *f = fetches; f; f = f->next)
        if (!memcmp(f->hash, hash, 32)) return;            /* already on its way */
    struct fetch *f = heap_alloc(sizeof *f);
    if (!f) return;
    memset(f, 0, sizeof *f);
    memcpy(f->hash, hash, 32);
    f->next = fetches;
    fetches = f;
    send_fetch(hash, 0);
}

void orch_module_data(const Orch__ModuleData *d, orch_module_done_fn done)
{
    struct fetch **pp = &fetches;
    while (*pp && (d->hash.len != 32 || memcmp((*pp)->hash, d->hash.data, 32))) pp = &(*pp)->next;
    struct fetch *f = *pp;
    if (!f) { kprintf("ORCH: ModuleData for a module not asked for, dropped\n"); return; }
    const char *why = NULL;
    if (!d->found) why = "module not found on the orchestrator";
    else if (d->total_size > MAX_MODULE_BYTES) why = "module too large";
    else if (d->offset != f->got || d->data.len > d->total_size - d->offset) why = "module chunk out of order";
    if (!why && !f->buf && !(f->buf = heap_alloc(d->total_size ? d->total_size : 1))) why = "out of memory";
    if (!why) {
        f->total = d->total_size;
        memcpy(f->buf + f->got, d->data.data, d->data.len);
        f->got += d->data.len;
        if (f->got < f->total) {
            if (!d->data.len) why = "empty module chunk";
            else { send_fetch(f->hash, f->got); return; }
        }
    }
    wasm_module *m = NULL;
    char err[200];
    if (!why) {
        m = wasm_sip_load_module(f->buf, f->total, err, sizeof err);
        if (!m) why = err;
        else if (memcmp(wasm_module_hash(m), f->hash, 32)) { wasm_module_free(m); m = NULL; why = "module bytes do not match their hash"; }
    }
    struct modc *c = m ? heap_alloc(sizeof *c) : NULL;
    if (m && !c) { wasm_module_free(m); m = NULL; why = "out of memory"; }
    if (c) {
        memcpy(c->hash, f->hash, 32);
        c->m = m;
        c->next = modules;
        modules = c;
        kprintf("ORCH: module fetched (%lu bytes), hash verified\n", (unsigned long)f->total);
    }
    *pp = f->next;
    uint8_t hash[32];
    memcpy(hash, f->hash, 32);
    heap_free(f->buf);
    heap_free(f);
    done(hash, m, why);
}

void orch_module_link_lost(void)
{
    for (struct fetch *f = fetches; f; f = f->next) { heap_free(f->buf); f->buf = NULL; f->got = 0; }
}

void orch_module_refetch(void)
{
    for (struct fetch *f = fetches; f; f = f->next)
        if (!f->got) send_fetch(f->hash, 0);
}
