/* The kernel side of the `sip` ABI, in plain C: every operation a SIP can ask for, on
 * kernel memory. sipabi.c adapts these to WebAssembly host functions (checking guest
 * pointers); kernel tests and C bodies call them directly.
 *
 * Results are >= 0 or a SIP_E* code (sips/sdk/sip.h). Errors that mean the SIP broke the
 * rules -- a forged or stale handle, a send the contract forbids -- also record a fault
 * (sip_fault), and the SIP traps when the call returns. SIP_EAGAIN asks a blocking caller
 * to wait: the call sets s->waiting and is retried when one of its endpoints changes. */
#ifndef NODE_KERNEL_CORE_SYSCALL_H
#define NODE_KERNEL_CORE_SYSCALL_H

#include "node-kernel/core/proc.h"

int32_t sys_bind(sip *s, const char *name, uint32_t len);
int32_t sys_chan_create(sip *s, const char *contract, uint32_t len, int32_t *imp, int32_t *exp);
int32_t sys_close(sip *s, int32_t ep);

int32_t sys_send(sip *s, int32_t ep, uint32_t tag, const void *payload, uint32_t len,
                 const int32_t *handles, uint32_t nhandles, bool blocking);
/* Returns the payload length; fills *tag, handles[0..*nhandles) and *nhandles. */
int32_t sys_recv(sip *s, int32_t ep, uint32_t *tag, void *payload, uint32_t cap,
                 int32_t *handles, uint32_t hcap, uint32_t *nhandles, bool blocking);
int32_t sys_select(sip *s, const int32_t *eps, uint32_t n, bool blocking);

int32_t sys_block_alloc(sip *s, uint32_t size);
int32_t sys_block_free(sip *s, int32_t b);
int32_t sys_block_size(sip *s, int32_t b);
int32_t sys_block_read(sip *s, int32_t b, uint32_t off, void *dst, uint32_t len);
int32_t sys_block_write(sip *s, int32_t b, uint32_t off, const void *src, uint32_t len);
/* Direct access to a block's bytes (kernel-side users); NULL if not a live block handle. */
uint8_t *sys_block_data(sip *s, int32_t b, uint32_t *size);

uint64_t sys_time_ns(sip *s);

#endif
