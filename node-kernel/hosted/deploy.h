/* Turning a parsed manifest into running SIPs on a kernel: load the contract files into
 * one set, load each module once, create every SIP with its quotas, arguments and
 * environment, wire the channels by name, and start them all. Used by sipnode, and by
 * tests and benchmarks that run wasm SIPs. */
#ifndef NODE_KERNEL_HOSTED_DEPLOY_H
#define NODE_KERNEL_HOSTED_DEPLOY_H

#include "node-kernel/hosted/manifest.h"
#include "sips/engine/engine.h"

typedef struct deployment {
    contract_set *cset;
    char **mod_paths; wasm_module **mods; uint32_t nmods;
} deployment;

/* Load a file whole (NUL-terminated); NULL with err on failure. */
uint8_t *deploy_read_file(const char *path, size_t *len, char *err, size_t errlen);
/* Load the contract files into d->cset and add them to k. */
int deploy_contracts(kernel *k, deployment *d, char *const *files, uint32_t n, char *err, size_t errlen);
/* Create, wire and start every SIP of m. On error nothing of m is left running. */
int deploy(kernel *k, const manifest *m, deployment *d, char *err, size_t errlen);
/* Free modules and contracts (after the kernel is freed). */
void deploy_free(deployment *d);

#endif
