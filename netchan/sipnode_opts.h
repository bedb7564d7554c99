/* sipnode's netchan options: with them a hosted node listens for other nodes on a
 * (loopback) address and wires local SIP endpoints to channel ends on other sipnodes.
 *
 *   --node ID                      this node's id (required with any other option)
 *   --listen tcp://127.0.0.1:PORT  where other nodes reach this one
 *   --peer ID=ADDRESS              where node ID listens (repeatable)
 *   --wire CONTRACT:CHAN:SIDE:SIP.NAME@PEER
 *                                  give SIP the SIDE (imp|exp) end of channel CHAN (a
 *                                  number both nodes use) under NAME; the other end is on
 *                                  node PEER, which wires the other side (repeatable)
 *   --hb-ms N --dead-ms N --rto-ms N   heartbeat period, dead-node timeout, resend timeout
 *   --nc-fault drop=N,reset=M      tests: lose every Nth data frame / reset links every Mth
 *   --nc-check                     run the kernel invariant check after every step
 *
 * At exit the node prints one line on stderr:
 *   netchan[ID]: stats sent=.. delivered=.. ... heap_used=.. live_blocks=.. invariant=ok */
#ifndef NETCHAN_SIPNODE_OPTS_H
#define NETCHAN_SIPNODE_OPTS_H

#include <stdbool.h>
#include <stddef.h>
#include "node-kernel/core/kernel.h"

/* If argv[*i] is a netchan option, consume it (and its value: *i advances) and return
 * true; a bad value prints an error and exits with status 2. */
bool sipnode_netchan_option(int argc, char **argv, int *i);
/* Any netchan option given? */
bool sipnode_netchan_enabled(void);
/* After the manifest is deployed: create the node and wire the remote channel ends. */
int sipnode_netchan_start(kernel *k, char *err, size_t errlen);
/* The main loop (instead of hosted_run): 0 when done, 1 if SIPs are blocked forever. */
int sipnode_netchan_run(kernel *k);
/* Print the stats line and free the node (before kernel_check / kernel_free). */
void sipnode_netchan_finish(kernel *k);

#endif
