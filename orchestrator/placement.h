/* Placement: choose a node for one SIP instance. A node qualifies if it carries every
 * label the SIP asks for, has the memory free, holds no SIP the SIP is anti-affine to
 * (its own name included: replicas spread), and -- when an affinity target is already
 * placed -- is that target's node. Among qualifying nodes the one with the fewest SIPs
 * wins, then the one with the most free memory, then the first listed. Pure function:
 * the daemon builds the inputs from the store; tests build them by hand. */
#ifndef ORCHESTRATOR_PLACEMENT_H
#define ORCHESTRATOR_PLACEMENT_H

#include <stddef.h>
#include <stdint.h>
#include "orchestrator/manifest.h"

typedef struct pl_node {
    const char *id;
    uint64_t memory, used;            /* bytes offered to SIPs, bytes placed already */
    const om_kv *labels; uint32_t nlabels;
    uint32_t nsips;                   /* SIPs placed on it (all apps) */
} pl_node;

typedef struct pl_placed {            /* SIPs of the same app already placed */
    const char *sip, *node;
} pl_placed;

#define PL_DEFAULT_MEMORY (64ull << 20)

/* Index into nodes, or -1 with the reason in why. */
int place_sip(const om_sip *s, const pl_node *nodes, uint32_t nnodes,
              const pl_placed *placed, uint32_t nplaced, char *why, size_t whylen);

#endif
