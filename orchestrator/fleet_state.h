/* fleet_state.h: what `sipctl fleet up` made, written to STATE_DIR/fleet.state so that
 * `fleet status` and `fleet down` find it again: the libvirt URI, network and domains,
 * the boot server's PID, the serial console files. One "key value" pair a line. */
#ifndef ORCHESTRATOR_FLEET_STATE_H
#define ORCHESTRATOR_FLEET_STATE_H
#include <stddef.h>
#include <sys/types.h>

#define FLEET_MAX_NODES 64

struct fleet_node {
    char name[64];              /* libvirt domain */
    char mac[18];
    char serial[512];           /* serial console log file */
};

struct fleet_state {
    char name[16];              /* the fleet's name: [a-z0-9], up to 10 characters */
    char dir[384];              /* state directory */
    char uri[512];              /* libvirt connection URI */
    char network[64];           /* libvirt network */
    char bridge[16];
    char gateway[16];           /* the host's address on the fleet network */
    char boot_url[512];         /* what DHCP sends iPXE to */
    char domain_type[8];        /* kvm or qemu */
    char nic[8];                /* virtio (virtio 1.0 only, 1af4:1041) or e1000 */
    int no_ipv6;                /* network without the IPv6 prefix (only at creation, not saved) */
    pid_t server_pid;           /* boot server we started (0: none) */
    unsigned memory_mib;
    int n;
    struct fleet_node nodes[FLEET_MAX_NODES];
};

/* "DIR/fleet.state" */
void fleet_state_path(const char *dir, char *out, size_t len);
int  fleet_state_save(const struct fleet_state *f, char *err, size_t errlen);
int  fleet_state_load(const char *dir, struct fleet_state *f, char *err, size_t errlen);
#endif
