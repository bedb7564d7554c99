/* fleet_libvirt.h: the libvirt side of a fleet: an isolated network whose DHCP server
 * (libvirt's dnsmasq) sends iPXE to the boot URL, and transient domains that boot from
 * the network with a virtio-net (or e1000) NIC and iPXE's ROM for it (Debian ipxe-qemu),
 * serial console to a file. Transient objects vanish when destroyed, so `fleet down`
 * leaves nothing. */
#ifndef ORCHESTRATOR_FLEET_LIBVIRT_H
#define ORCHESTRATOR_FLEET_LIBVIRT_H
#include <libvirt/libvirt.h>
#include "orchestrator/fleet_state.h"

/* QEMU's iPXE ROMs. Debian's virtio ROM answers only the modern virtio-net PCI id
 * (1af4:1041), so virtio domains get libvirt's model 'virtio-non-transitional' (a
 * virtio 1.0 only device), which the kernel's modern driver runs. */
#define FLEET_E1000_ROM  "/usr/lib/ipxe/qemu/pxe-e1000.rom"
#define FLEET_VIRTIO_ROM "/usr/lib/ipxe/qemu/pxe-virtio.rom"
#define FLEET_DEFAULT_NIC "virtio"

int fleet_network_xml(char *buf, size_t len, const struct fleet_state *f);
int fleet_domain_xml(char *buf, size_t len, const struct fleet_state *f, int i);

/* "kvm" when libvirt offers KVM and /dev/kvm opens, else "qemu" (TCG). */
const char *fleet_pick_domain_type(virConnectPtr conn);

/* Creates the network / starts domain i. 0, or -1 with libvirt's message in err. */
int fleet_network_create(virConnectPtr conn, const struct fleet_state *f, char *err, size_t errlen);
int fleet_domain_start(virConnectPtr conn, const struct fleet_state *f, int i, char *err, size_t errlen);

/* Destroys (and undefines, if persistent) a domain / the network by name; 1 if it
 * existed, 0 if not, -1 on error. */
int fleet_domain_remove(virConnectPtr conn, const char *name, char *err, size_t errlen);
int fleet_network_remove(virConnectPtr conn, const char *name, char *err, size_t errlen);

/* "running", "shut off", ... or "absent". */
const char *fleet_domain_state(virConnectPtr conn, const char *name);

/* The last libvirt error as text. */
const char *fleet_virt_error(void);
#endif
