/* node.h: the metal kernel's instance of the node kernel core (node-kernel/core): one
 * kernel object, its scheduler driven from the poll loop, SIP output on the serial
 * console ("[name] line", as sipnode prints it), and the example applications of
 * sips/apps run from the manifests embedded in the image (app=NAME). */
#ifndef NODE_KERNEL_METAL_NODE_H
#define NODE_KERNEL_METAL_NODE_H
#include <stdint.h>
#include "node-kernel/core/proc.h"

/* Observers of SIP output and ends besides the console (the orchestrator agent). */
struct node_observer {
    void (*log)(sip *s, int fd, const char *text, size_t n);
    void (*exit)(sip *s);
};

int     node_init(void);
kernel *node_kernel(void);
void    node_set_observer(const struct node_observer *obs);
/* Deploys sips/apps/NAME.sipm from the image; prints "APP NAME: ..." when every SIP
 * of it has ended (status 0 when all exited with 0) and checks the core's invariant. */
int     node_run_app(const char *name);
/* app=a,b,c: runs the applications one after the other. */
void    node_run_apps(const char *list);
/* Runs SIPs for a bounded number of slices; returns nonzero if a SIP is still runnable. */
int     node_poll(void);
#endif
