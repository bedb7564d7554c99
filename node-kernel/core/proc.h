/* SIPs: the kernel's record of one software-isolated process -- its handle table, the
 * endpoints wired for it by name, its quotas, its scheduling state, and its body (the code
 * that runs: a WebAssembly instance, or a C function for kernel tests). Creation,
 * start, termination with full reclamation, and the scheduler's wake-up entry points. */
#ifndef NODE_KERNEL_CORE_PROC_H
#define NODE_KERNEL_CORE_PROC_H

#include "node-kernel/core/handles.h"
#include "node-kernel/core/kernel.h"
#include "sips/sdk/sip.h"

/* SIP_PAUSED: held by a migration (migrate.h): off the run queue, wake-ups ignored. */
typedef enum { SIP_NEW, SIP_RUNNABLE, SIP_BLOCKED, SIP_DEAD, SIP_PAUSED } sip_state;

/* What one slice of a body's execution ended with. */
typedef enum {
    SIP_RUN_FUEL,                 /* used its fuel slice: back of the run queue */
    SIP_RUN_YIELD,                /* yielded, or blocked if s->waiting was set */
    SIP_RUN_EXIT,                 /* finished; s->exit_code */
    SIP_RUN_TRAP,                 /* faulted; s->fault says why */
} sip_run_result;

struct sip;
typedef struct sip_body_ops {
    const char *kind;
    sip_run_result (*run)(struct sip *s, uint64_t fuel);
    void (*destroy)(struct sip *s);
} sip_body_ops;

typedef struct sip_quota {
    uint64_t memory_bytes;        /* linear memory (wasm bodies); 0 = default */
    uint64_t fuel_slice;          /* fuel per scheduling slice; 0 = default */
    uint64_t heap_bytes;          /* exchange-heap bytes held; 0 = default */
    uint32_t handles;             /* handles held; 0 = default */
} sip_quota;

#define SIP_DEFAULT_MEMORY   (64ull << 20)
#define SIP_DEFAULT_FUEL     100000ull
#define SIP_DEFAULT_HEAP     (16ull << 20)
#define SIP_DEFAULT_HANDLES  1024u
#define SIP_NAME_MAX         48

typedef struct sip_binding {
    char name[SIP_NAME_MAX];
    int32_t handle;               /* in the SIP's table; consumed by the first bind */
} sip_binding;

/* SIP_END_MIGRATED: the SIP now runs on another kernel (migrate_release). */
typedef enum { SIP_END_NONE, SIP_END_EXIT, SIP_END_TRAP, SIP_END_KILLED, SIP_END_MIGRATED } sip_end;

typedef struct sip {
    kernel *k;
    uint32_t id, slot;
    char name[SIP_NAME_MAX];
    sip_state state;
    bool on_runq;
    struct sip *rq_next;
    bool waiting;                 /* set by a blocking call that found nothing to do */
    bool yield_taken;             /* sip.yield: first half (yielded) done */
    uint64_t wake_ns;             /* blocked with a deadline (monotonic ns); 0 = none */
    handle_table ht;
    sip_binding *binds; uint32_t nbinds;
    sip_quota quota;
    const sip_body_ops *ops; void *body;
    sip_end end;
    int32_t exit_code;
    char fault[192];
    uint64_t fuel_used, slices;
    void *user;                   /* for the platform */
} sip;

/* Create a SIP in state SIP_NEW with an empty handle table. The body is attached with
 * sip_set_body(); endpoints are wired with sip_wire(). Returns NULL if out of memory. */
sip *sip_create(kernel *k, const char *name, const sip_quota *q);
void sip_set_body(sip *s, const sip_body_ops *ops, void *body);
/* Give the SIP an endpoint under a name it can bind ("out"); takes ownership of ep. */
int  sip_wire(sip *s, const char *name, struct endpoint *ep);
/* Make a SIP_NEW SIP runnable. */
int  sip_start(sip *s);
/* End a SIP now: every block freed, every endpoint closed (peers told), the exit hook
 * called, the record freed. */
void sip_kill(sip *s, const char *why);
/* Record a fault: the current system call fails and the SIP traps when it returns. */
int32_t sip_fault(sip *s, int32_t err, const char *why);   /* returns err */
sip *sip_by_id(kernel *k, uint32_t id);
sip *sip_by_name(kernel *k, const char *name);

/* scheduler (sched.c) */
/* Earliest deadline of a sleeping SIP (monotonic ns), 0 if none sleeps: when the kernel
 * is idle the platform may wait until then (or until network input) and run again. */
uint64_t kernel_next_wake(const kernel *k);
void sched_make_runnable(sip *s);
/* Something happened that a waiting SIP may care about. */
void sched_wake(sip *s);
/* The SIP that owns an endpoint or block through its handle table, or NULL. */
sip *owner_sip(const owner_ref *own);
/* Terminate and free (called by the scheduler, sip_kill, kernel_free). */
void sip_terminate(sip *s, sip_end how);

#endif
