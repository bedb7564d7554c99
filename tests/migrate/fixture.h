/* Shared fixture of the migration tests: up to three node kernels in this process with the
 * same contracts, a deployment (modules by path and by hash), per-SIP logs that survive
 * migration (kept by SIP name, not per kernel), the endings of SIPs, and a loop that runs
 * every kernel until all SIPs have ended. */
#ifndef TESTS_MIGRATE_FIXTURE_H
#define TESTS_MIGRATE_FIXTURE_H

#include <CUnit/CUnit.h>
#include "node-kernel/core/migrate_local.h"
#include "node-kernel/hosted/deploy.h"

#ifndef SIPS_DIR
#define SIPS_DIR "build/sips"
#endif
#define MIG_SIPS SIPS_DIR "/tests/migrate/sips"

#define NKERNELS 3
extern kernel *KN[NKERNELS];
extern deployment DEP;

void fx_setup(void);                  /* fresh kernels, logs, endings */
void fx_teardown(void);
/* Deploy manifest text on kernel 0; 0 or -1 (printed). */
int  fx_deploy(const char *text);
/* Modules of the deployment, found by hash (a migrate_module_fn). */
const wasm_module *fx_find_module(void *arg, const uint8_t *hash, char *err, size_t errlen);
/* Run every kernel for up to `slices` slices each round until no SIP is left, or for at
 * most timeout_ms. Returns the number of SIPs still alive. */
int  fx_run(uint64_t slices_per_round, int timeout_ms);
/* One round: up to n slices on every kernel (sleeping briefly if all are idle). */
void fx_step(uint64_t n);
int  fx_live(void);                   /* SIPs alive on all kernels */
sip *fx_find(const char *name, int *kernel_index);
const char *fx_log(const char *name); /* everything the SIP wrote so far, "" if none */
/* How it ended: 1 exit (code in *code), 2 trap, 3 killed, 0 not ended. */
int  fx_ending(const char *name, int32_t *code, const char **fault);
void fx_check_all(void);              /* kernel_check on every kernel */

#endif
