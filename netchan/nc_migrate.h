/* Migration across nodes, the netchan half: the channel ends of a migrating SIP move to
 * the target node exactly as endpoints sent inside a message do (netchan/marshal.c) --
 * with their queued messages, sequence counters and unacknowledged frames; a peer on
 * another node is re-routed (RouteUpdate, forwarding from the source until acked), a peer
 * that stays on the source gets a fresh cross-node channel to the target.
 * The kernel half is node-kernel/core/migrate.h; the protocol and format are in
 * docs/migration.md. Sequence, once the target has restored the image:
 *     source: nc_migrate_export(src, s, &img, "target", &ends, &len, ...);
 *             migrate_release(s, NULL, NULL);        (the ends are gone from the SIP)
 *     target: nc_migrate_import(dst, "source", ends, len, ext, next, ...);
 *             migrate_resume(t);
 * Before the image is sent, nc_migrate_check() refuses what this cannot do yet. */
#ifndef NETCHAN_NC_MIGRATE_H
#define NETCHAN_NC_MIGRATE_H

#include "netchan/netchan.h"
#include "node-kernel/core/migrate.h"

/* 0 if the SIP's external ends can move to `target`; -1 with err if not (the target is
 * unknown to this node, or an end's peer lives on the target itself: joining the two into
 * a local channel is not done yet). Changes nothing. */
int nc_migrate_check(nc_node *n, const migrate_image *img, const char *target,
                     char *err, size_t errlen);

/* Take the external ends out of the paused SIP s and marshal them for `target` into *buf
 * (a packed netchan.ChannelMessage, one endpoint handle per end, in image order; free()).
 * The queued messages the image already holds are dropped here; those that arrived since
 * travel in the EndpointStates. Call only after the target restored the image. */
int nc_migrate_export(nc_node *n, sip *s, const migrate_image *img, const char *target,
                      uint8_t **buf, size_t *len, char *err, size_t errlen);

/* On the target: put the endpoints of buf in place of the restored SIP's external ends
 * ext[0..next) -- each keeps the image's queued messages in front of those that came
 * with it. Every field is checked first; on error nothing is changed. */
int nc_migrate_import(nc_node *n, const char *source, const uint8_t *buf, size_t len,
                      endpoint **ext, uint32_t next, char *err, size_t errlen);

#endif
