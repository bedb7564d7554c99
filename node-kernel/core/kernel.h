/* The node kernel: one instance of the platform-neutral core -- exchange heap, SIP table,
 * run queue, every endpoint, and the contract library SIPs may name. A platform (hosted
 * sipnode, metal) creates one, adds contracts and SIPs, wires channels, and calls
 * kernel_run() from its main loop. */
#ifndef NODE_KERNEL_CORE_KERNEL_H
#define NODE_KERNEL_CORE_KERNEL_H

#include "node-kernel/core/exheap.h"
#include "contracts/contract.h"

struct sip;
struct endpoint;

/* Called when a SIP ends (exit, trap or kill), before its record is freed. */
typedef void (*kernel_exit_fn)(void *arg, struct sip *s);
/* Receives a SIP's log output (its stdout/stderr). */
typedef void (*kernel_log_fn)(void *arg, struct sip *s, int fd, const char *text, size_t n);

typedef struct kernel {
    exheap heap;
    struct sip **sips;            /* the SIP table, indexed by slot; NULL = free */
    uint32_t nsips_cap, nsips_live;
    uint32_t next_id;
    struct sip *runq_head, *runq_tail;
    struct endpoint *eps;         /* every live endpoint (doubly linked) */
    uint64_t live_endpoints;
    uint64_t next_ep_id;
    const contract_set **csets;   /* contract library (not owned) */
    uint32_t ncsets;
    uint32_t max_queue;           /* messages queued per endpoint before send blocks */
    kernel_exit_fn on_exit; void *on_exit_arg;
    kernel_log_fn on_log;   void *on_log_arg;
    uint32_t nsleepers;           /* blocked SIPs with a deadline (wake_ns) */
    uint64_t slices;              /* scheduler statistics */
} kernel;

#define KERNEL_DEFAULT_MAX_QUEUE 1024

kernel *kernel_new(uint64_t heap_max_bytes);
/* Terminate every SIP, close every endpoint, free everything. */
void kernel_free(kernel *k);

/* Make the contracts of a (finished) set available by name to SIPs and manifests. */
int kernel_add_contracts(kernel *k, const contract_set *set);
const contract *kernel_find_contract(const kernel *k, const char *name, size_t len);

/* Run SIPs round-robin until every live SIP is blocked or gone (idle), or `max_slices`
 * slices have run (0 = no limit). Returns the number of slices run. */
uint64_t kernel_run(kernel *k, uint64_t max_slices);
/* true if some SIP is runnable */
bool kernel_busy(const kernel *k);

/* The invariant check: every live block and endpoint has exactly one owner and that owner
 * refers back to it, per-SIP quota accounting matches, the heap's used bytes equal the sum
 * of live blocks. Returns 0 or writes the first violation into why and returns -1. */
int kernel_check(const kernel *k, char *why, size_t why_len);

#endif
