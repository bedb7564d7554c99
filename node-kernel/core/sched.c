/* The round-robin scheduler: each runnable SIP runs until it blocks, yields, exits, traps
 * or spends its fuel slice; then the next one runs. The node is idle when every live SIP
 * is blocked (waiting on its endpoints). */
#include "node-kernel/core/proc.h"
#include "node-kernel/core/platform.h"

void sched_make_runnable(sip *s)
{
    kernel *k = s->k;
    s->state = SIP_RUNNABLE;
    s->waiting = false;
    if (s->wake_ns) {
        s->wake_ns = 0;
        k->nsleepers--;
    }
    if (s->on_runq)
        return;
    s->on_runq = true;
    s->rq_next = NULL;
    if (k->runq_tail)
        k->runq_tail->rq_next = s;
    else
        k->runq_head = s;
    k->runq_tail = s;
}

void sched_wake(sip *s)
{
    if (s->state == SIP_BLOCKED)
        sched_make_runnable(s);
}

bool kernel_busy(const kernel *k)
{
    return k->runq_head != NULL;
}

static sip *runq_pop(kernel *k)
{
    sip *s = k->runq_head;
    if (!s)
        return NULL;
    k->runq_head = s->rq_next;
    if (!k->runq_head)
        k->runq_tail = NULL;
    s->on_runq = false;
    s->rq_next = NULL;
    return s;
}

/* Run one slice of s and act on how it ended. */
static void run_slice(kernel *k, sip *s)
{
    s->waiting = false;
    sip_run_result r = s->ops->run(s, s->quota.fuel_slice);
    s->slices++;
    k->slices++;
    if (s->fault[0])
        r = SIP_RUN_TRAP;   /* a system call faulted: the SIP traps, whatever the body says */
    if (s->wake_ns && !(r == SIP_RUN_YIELD && s->waiting))
        s->wake_ns = 0;     /* a deadline only matters to a SIP that goes to sleep */
    switch (r) {
    case SIP_RUN_FUEL:
        sched_make_runnable(s);
        break;
    case SIP_RUN_YIELD:
        if (s->waiting) {
            s->state = SIP_BLOCKED;
            if (s->wake_ns)
                k->nsleepers++;
        } else
            sched_make_runnable(s);
        break;
    case SIP_RUN_EXIT:
        sip_terminate(s, SIP_END_EXIT);
        break;
    case SIP_RUN_TRAP:
        if (!s->fault[0])
            sip_fault(s, 0, "trap");
        sip_terminate(s, SIP_END_TRAP);
        break;
    }
}

/* Make every sleeper whose deadline has passed runnable. */
static void wake_sleepers(kernel *k)
{
    uint64_t now = plat_time_ns(1);
    for (uint32_t i = 0; i < k->nsips_cap && k->nsleepers; i++) {
        sip *s = k->sips[i];
        if (s && s->state == SIP_BLOCKED && s->wake_ns && s->wake_ns <= now)
            sched_make_runnable(s);
    }
}

uint64_t kernel_next_wake(const kernel *k)
{
    uint64_t best = 0;
    for (uint32_t i = 0; i < k->nsips_cap && k->nsleepers; i++) {
        const sip *s = k->sips[i];
        if (s && s->state == SIP_BLOCKED && s->wake_ns && (!best || s->wake_ns < best))
            best = s->wake_ns;
    }
    return best;
}

uint64_t kernel_run(kernel *k, uint64_t max_slices)
{
    uint64_t n = 0;
    sip *s;
    for (;;) {
        /* sleepers are checked when the run queue empties and every 64 slices */
        if (k->nsleepers && (!k->runq_head || (n & 63) == 63))
            wake_sleepers(k);
        if ((max_slices && n >= max_slices) || !(s = runq_pop(k)))
            break;
        run_slice(k, s);
        n++;
    }
    return n;
}
