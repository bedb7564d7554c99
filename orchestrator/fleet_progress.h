/* fleet_progress.h: how far each node of a fleet got, read from the boot server's access
 * log (script and kernel fetched) and the node's serial console (kernel running, DHCP
 * address, registered with the orchestrator). */
#ifndef ORCHESTRATOR_FLEET_PROGRESS_H
#define ORCHESTRATOR_FLEET_PROGRESS_H
#include <stddef.h>
#include "orchestrator/fleet_state.h"

enum fleet_stage {
    STAGE_STARTED,      /* domain running, firmware and iPXE */
    STAGE_SCRIPT,       /* iPXE fetched its boot script */
    STAGE_KERNEL,       /* ... and the kernel */
    STAGE_BOOTING,      /* the kernel printed its banner */
    STAGE_DHCP,         /* the kernel has an address */
    STAGE_REGISTERED,   /* the orchestrator accepted the node */
    STAGE_FAILED,       /* panic, or registration refused */
};

struct fleet_progress {
    enum fleet_stage stage;
    char address[16];           /* from the kernel's DHCP line */
    char detail[160];           /* why it failed */
};

const char *fleet_stage_name(enum fleet_stage s);
/* Parses "booted", "dhcp", "registered" (what `up --wait-for` accepts). -1 if unknown. */
int fleet_stage_parse(const char *s);
/* Reads the files and fills p[0..f->n-1]. */
void fleet_progress_read(const struct fleet_state *f, struct fleet_progress *p);
#endif
