/* Node kernel lifetime and its contract library (see kernel.h). */
#include "node-kernel/core/kernel.h"
#include "node-kernel/core/channel.h"
#include "node-kernel/core/kstring.h"
#include "node-kernel/core/platform.h"
#include "node-kernel/core/proc.h"

kernel *kernel_new(uint64_t heap_max_bytes)
{
    kernel *k = plat_alloc(sizeof *k);
    if (!k)
        return NULL;
    __builtin_memset(k, 0, sizeof *k);
    exheap_init(&k->heap, heap_max_bytes);
    k->max_queue = KERNEL_DEFAULT_MAX_QUEUE;
    return k;
}

void kernel_free(kernel *k)
{
    if (!k)
        return;
    for (uint32_t i = 0; i < k->nsips_cap; i++)
        if (k->sips[i]) {
            sip_fault(k->sips[i], 0, "node shutting down");
            sip_terminate(k->sips[i], SIP_END_KILLED);
        }
    while (k->eps) {
        endpoint *ep = k->eps;
        if (ep->own.kind == OWNER_MESSAGE) {      /* detach from its carrier first */
            message *m = ep->own.owner;
            m->h[ep->own.slot].kind = HK_FREE;
        }
        ep->own.kind = OWNER_NONE;
        chan_close(ep);
    }
    exheap_destroy(&k->heap);
    plat_free(k->sips);
    plat_free(k->csets);
    plat_free(k);
}

int kernel_add_contracts(kernel *k, const contract_set *set)
{
    const contract_set **n = plat_realloc(k->csets, (k->ncsets + 1) * sizeof *n);
    if (!n)
        return SIP_ENOMEM;
    n[k->ncsets++] = set;
    k->csets = n;
    return 0;
}

const contract *kernel_find_contract(const kernel *k, const char *name, size_t len)
{
    for (uint32_t i = 0; i < k->ncsets; i++) {
        uint32_t n = contract_set_count(k->csets[i]);
        for (uint32_t j = 0; j < n; j++) {
            const contract *c = contract_set_at(k->csets[i], j);
            if (k_name_is(c->name, name, len))
                return c;
        }
    }
    return NULL;
}
