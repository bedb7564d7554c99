/* Migration between kernels of one process (several node kernels side by side in a test,
 * a benchmark or a hosted process): the whole protocol of migrate.h in one call, with an
 * in-process link standing in for netchan. A channel end that moves away from its peer is
 * joined to it by a pair of proxy endpoints (one on each kernel) that copy messages across
 * -- blocks are re-allocated in the receiving kernel's heap and freed in the sender's, so
 * each heap's invariant holds -- and pass closes on; a SIP that moves back next to its
 * peer is joined to it directly again and the proxies retire. Delivery is synchronous, so
 * nothing is ever in flight on the link: exactly-once and ordering follow from the queues.
 *
 * Limits: a message carrying an endpoint across the link is refused (dropped with a console
 * line, the channel closed on both sides) -- netchan moves endpoints between nodes. */
#ifndef NODE_KERNEL_CORE_MIGRATE_LOCAL_H
#define NODE_KERNEL_CORE_MIGRATE_LOCAL_H

#include "node-kernel/core/migrate.h"

typedef struct mlink mlink;

typedef struct migrate_stats {
    uint64_t image_bytes;         /* whole image */
    uint64_t engine_bytes;        /* of which the engine snapshot */
    uint64_t save_ns;             /* pause -> image ready */
    uint64_t restore_ns;          /* image -> SIP rebuilt on the target */
    uint64_t downtime_ns;         /* pause -> runnable on the target */
    uint32_t external_ends;       /* channel ends handed over */
} migrate_stats;

mlink *mlink_new(void);
/* Close every live proxy (the ends they join see the channel close) and free the link.
 * Call it before freeing the kernels. */
void mlink_free(mlink *l);

/* Move s (a running or blocked wasm SIP) to kernel `to`: pause, save, restore there (find
 * supplies the module by hash), hand over its channel ends, release it here, resume it
 * there. Returns the SIP on `to`; on failure NULL with err, and s runs on where it was. */
sip *mlink_migrate(mlink *l, sip *s, kernel *to, migrate_module_fn find, void *find_arg,
                   migrate_stats *st, char *err, size_t errlen);

/* The two halves of mlink_migrate, for callers that let the other SIPs run while the image
 * "travels" (as they do between nodes): begin pauses and saves s (NULL with err if it
 * cannot; s then runs on); finish restores on `to`, hands over the ends -- messages that
 * reached s meanwhile are forwarded -- and resumes it there, or with to == NULL or on
 * failure resumes s where it was. finish frees mv either way. */
typedef struct mlink_move mlink_move;
mlink_move *mlink_begin(sip *s, char *err, size_t errlen);
const migrate_image *mlink_image(const mlink_move *mv);
sip *mlink_finish(mlink *l, mlink_move *mv, kernel *to, migrate_module_fn find, void *find_arg,
                  migrate_stats *st, char *err, size_t errlen);

/* The same with pre-copied memory: the caller ran migrate_precopy_round() on s while it
 * kept running and applied each round to `base` (as a target would); begin saves only the
 * pages written since, finish restores on top of base. */
mlink_move *mlink_begin_precopied(sip *s, migrate_precopy *pc, char *err, size_t errlen);
sip *mlink_finish_base(mlink *l, mlink_move *mv, kernel *to, const migrate_base *base,
                       migrate_module_fn find, void *find_arg, migrate_stats *st,
                       char *err, size_t errlen);

/* Proxy pairs alive now (joining ends on two kernels). */
uint32_t mlink_live_pairs(const mlink *l);

#endif
