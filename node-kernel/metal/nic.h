/* nic.h: what the network stack needs from an Ethernet driver: its MAC address, a
 * way to send one frame, a way to poll for one received frame, and optionally its
 * legacy interrupt line with a way to acknowledge an interrupt (so the idle loop can
 * sleep until a frame arrives instead of until the next timer tick). */
#ifndef METAL_NIC_H
#define METAL_NIC_H
#include <stddef.h>
#include <stdint.h>
#include "node-kernel/metal/pci.h"

#define NIC_MAX_FRAME 1518

struct nic {
    const char *name;
    uint8_t mac[6];
    int (*transmit)(struct nic *nic, const void *frame, size_t len);   /* 0 or -1 */
    size_t (*receive)(struct nic *nic, void *buf, size_t cap);         /* 0 if none */
    int irq;                                    /* legacy (PIC) line, -1 if none */
    void (*irq_enable)(struct nic *nic);        /* device starts raising it */
    void (*irq_ack)(struct nic *nic);           /* in the handler: lower the line */
    void *priv;
};

struct nic *virtio_net_probe(const struct pci_dev *d);   /* legacy 1af4:1000; NULL if not ours */
struct nic *virtio_net_modern_probe(const struct pci_dev *d);   /* virtio 1.0, 1af4:1041 */
struct nic *e1000_probe(const struct pci_dev *d);
/* Finds the first supported NIC; `want` ("virtio", "e1000" or NULL for any). */
struct nic *nic_find(const char *want);
#endif
