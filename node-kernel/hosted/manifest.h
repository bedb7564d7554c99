/* The local manifest sipnode reads: which contract files to load, which SIPs to run (with
 * their module, arguments, environment and quotas) and how to wire their endpoints. One
 * directive per line, '#' starts a comment:
 *
 *   contract  contracts/lib/echo.contract
 *   sip       server  build/sips/echo_server.wasm  [arg ...]
 *   env       server  GREETING=hello
 *   quota     server  memory=16M fuel=200000 heap=1M handles=256
 *   channel   Echo  client.server  server.clients
 *
 * `channel C A.x B.y` creates a channel of contract C; SIP A gets the importing end under
 * the name x, SIP B the exporting end under y. Errors name the file, line and reason. */
#ifndef NODE_KERNEL_HOSTED_MANIFEST_H
#define NODE_KERNEL_HOSTED_MANIFEST_H

#include <stddef.h>
#include <stdint.h>
#include "node-kernel/core/proc.h"

typedef struct mf_sip {
    char *name, *module;
    char **argv; uint32_t argc;     /* argv[0] = the SIP's name */
    char **envp; uint32_t envc;
    sip_quota quota;
} mf_sip;

typedef struct mf_channel {
    char *contract;
    uint32_t imp_sip, exp_sip;      /* indexes into sips */
    char *imp_name, *exp_name;
    uint32_t line;
} mf_channel;

typedef struct manifest {
    char **contracts; uint32_t ncontracts;
    mf_sip *sips; uint32_t nsips;
    mf_channel *chans; uint32_t nchans;
} manifest;

/* Parse text (NUL-terminated). Paths are taken as written. Returns 0, or -1 with
 * "file:line: reason" in err. */
int  manifest_parse(const char *text, const char *file, manifest *out, char *err, size_t errlen);
int  manifest_load(const char *path, manifest *out, char *err, size_t errlen);
void manifest_free(manifest *m);

#endif
