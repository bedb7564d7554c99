/* Native SIP bodies: a SIP whose code is a C function run by the kernel, calling the
 * system calls of syscall.h directly. Used for kernel tests and benchmarks before (and
 * beside) WebAssembly SIPs; the scheduler treats it exactly like a wasm body. The step
 * function is called once per slice with the fuel it may spend and returns how the slice
 * ended (a blocking system call that returned SIP_EAGAIN sets s->waiting: return
 * SIP_RUN_YIELD and the SIP sleeps until one of its endpoints changes). */
#ifndef NODE_KERNEL_CORE_NATIVE_H
#define NODE_KERNEL_CORE_NATIVE_H

#include "node-kernel/core/proc.h"

typedef sip_run_result (*native_step_fn)(sip *s, void *arg, uint64_t fuel);

/* Attach a native body; `arg` stays owned by the caller. */
void native_attach(sip *s, native_step_fn step, void *arg);

#endif
