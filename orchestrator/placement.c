/* SIP placement (see placement.h). */
#include "orchestrator/placement.h"
#include <stdio.h>
#include <string.h>

static int has_label(const pl_node *n, const om_kv *want)
{
    for (uint32_t i = 0; i < n->nlabels; i++)
        if (!strcmp(n->labels[i].key, want->key) && !strcmp(n->labels[i].value, want->value))
            return 1;
    return 0;
}

static int on_node(const pl_placed *placed, uint32_t np, const char *sip, const char *node)
{
    for (uint32_t i = 0; i < np; i++)
        if (!strcmp(placed[i].sip, sip) && !strcmp(placed[i].node, node))
            return 1;
    return 0;
}

static const char *node_of(const pl_placed *placed, uint32_t np, const char *sip)
{
    for (uint32_t i = 0; i < np; i++)
        if (!strcmp(placed[i].sip, sip))
            return placed[i].node;
    return NULL;
}

int place_sip(const om_sip *s, const pl_node *nodes, uint32_t nnodes,
              const pl_placed *placed, uint32_t nplaced, char *why, size_t whylen)
{
    uint64_t need = s->memory ? s->memory : PL_DEFAULT_MEMORY;
    int best = -1;
    uint32_t no_label = 0, no_mem = 0, anti = 0, affinity = 0;
    for (uint32_t i = 0; i < nnodes; i++) {
        const pl_node *n = &nodes[i];
        uint32_t l = 0;
        while (l < s->nlabels && has_label(n, &s->labels[l]))
            l++;
        if (l < s->nlabels) { no_label++; continue; }
        if (n->used > n->memory || n->memory - n->used < need) { no_mem++; continue; }
        int bad = on_node(placed, nplaced, s->name, n->id);
        for (uint32_t a = 0; a < s->nanti && !bad; a++)
            bad = on_node(placed, nplaced, s->anti[a], n->id);
        if (bad) { anti++; continue; }
        for (uint32_t a = 0; a < s->naffinity && !bad; a++) {
            const char *where = node_of(placed, nplaced, s->affinity[a]);
            bad = where && strcmp(where, n->id);
        }
        if (bad) { affinity++; continue; }
        if (best < 0 || n->nsips < nodes[best].nsips ||
            (n->nsips == nodes[best].nsips && n->memory - n->used > nodes[best].memory - nodes[best].used))
            best = (int)i;
    }
    if (best < 0)
        snprintf(why, whylen, "no node fits %s (%u live; %u lack labels, %u lack memory, "
                 "%u anti-affinity, %u affinity)", s->name, nnodes, no_label, no_mem, anti, affinity);
    return best;
}
