/* The hosted node's main loop: run the kernel until every SIP has ended, sleeping in
 * Linux while all live SIPs wait for a deadline (a WASI sleep), and stopping when the
 * remaining SIPs can never be woken (each blocked on channels nobody will send on). */
#ifndef NODE_KERNEL_HOSTED_RUNLOOP_H
#define NODE_KERNEL_HOSTED_RUNLOOP_H

#include "node-kernel/core/proc.h"

/* 0: no SIP is left; 1: the SIPs still alive are blocked forever. */
int hosted_run(kernel *k);

#endif
