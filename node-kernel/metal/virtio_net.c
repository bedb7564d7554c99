/* virtio_net.c: a polled driver for legacy and transitional virtio-net PCI devices
 * (vendor 0x1AF4, device 0x1000), through the legacy I/O BAR. Queue 0 receives and
 * queue 1 transmits (virtio_ring.c); every buffer starts with the 10-byte legacy
 * virtio-net header (no offloads are negotiated, so it stays zero). Modern-only
 * devices (0x1041) are virtio_net_modern.c's. */
#include <string.h>
#include "node-kernel/metal/nic.h"
#include "node-kernel/metal/virtio_ring.h"
#include "node-kernel/metal/pmm.h"
#include "node-kernel/metal/heap.h"
#include "node-kernel/metal/kprintf.h"
#include "node-kernel/metal/x86.h"

#define REG_HOST_FEATURES  0x00
#define REG_GUEST_FEATURES 0x04
#define REG_QUEUE_PFN      0x08
#define REG_QUEUE_SIZE     0x0C
#define REG_QUEUE_SELECT   0x0E
#define REG_QUEUE_NOTIFY   0x10
#define REG_STATUS         0x12
#define REG_ISR            0x13
#define REG_MAC            0x14

#define STATUS_ACK       1
#define STATUS_DRIVER    2
#define STATUS_DRIVER_OK 4
#define STATUS_FAILED    128
#define FEATURE_MAC      (1u << 5)

#define NET_HDR_LEN  10

struct vnet {
    struct nic nic;
    uint16_t io;
    struct vq rx, tx;
};

static void legacy_notify(struct vq *q)
{
    struct vnet *v = q->dev;
    outw(v->io + REG_QUEUE_NOTIFY, q->index);
}

static int vq_setup(struct vnet *v, struct vq *q, uint16_t index)
{
    outw(v->io + REG_QUEUE_SELECT, index);
    if (vq_alloc(q, index, inw(v->io + REG_QUEUE_SIZE))) return -1;
    q->notify = legacy_notify;
    q->dev = v;
    outl(v->io + REG_QUEUE_PFN, (uint32_t)((uint64_t)(uintptr_t)q->desc / PAGE_SIZE));
    return 0;
}

static int vnet_transmit(struct nic *nic, const void *frame, size_t len)
{
    struct vnet *v = nic->priv;
    return vq_send(&v->tx, NET_HDR_LEN, frame, len);
}

static size_t vnet_receive(struct nic *nic, void *out, size_t cap)
{
    struct vnet *v = nic->priv;
    return vq_receive(&v->rx, NET_HDR_LEN, out, cap);
}

/* Reading the ISR status register lowers the interrupt line. */
static void vnet_irq_ack(struct nic *nic)
{
    struct vnet *v = nic->priv;
    (void)inb(v->io + REG_ISR);
}

static void vnet_irq_enable(struct nic *nic) { (void)nic; }     /* used-ring interrupts are on */

struct nic *virtio_net_probe(const struct pci_dev *d)
{
    if (d->vendor != 0x1AF4 || d->device != 0x1000) return NULL;
    int is_io;
    uint64_t bar = pci_bar(d, 0, &is_io);
    if (!is_io) { kprintf("virtio-net: BAR0 is not I/O, not a legacy device\n"); return NULL; }
    pci_enable(d);
    struct vnet *v = heap_alloc(sizeof *v);
    if (!v) return NULL;
    memset(v, 0, sizeof *v);
    v->io = (uint16_t)bar;
    outb(v->io + REG_STATUS, 0);                            /* reset */
    outb(v->io + REG_STATUS, STATUS_ACK);
    outb(v->io + REG_STATUS, STATUS_ACK | STATUS_DRIVER);
    uint32_t features = inl(v->io + REG_HOST_FEATURES);
    outl(v->io + REG_GUEST_FEATURES, features & FEATURE_MAC);
    if (vq_setup(v, &v->rx, 0) || vq_setup(v, &v->tx, 1)) {
        outb(v->io + REG_STATUS, STATUS_FAILED);
        kprintf("virtio-net: queue setup failed\n");
        heap_free(v);
        return NULL;
    }
    for (int i = 0; i < 6; i++) v->nic.mac[i] = inb(v->io + REG_MAC + i);
    vq_fill_receive(&v->rx);                /* give every receive buffer to the device */
    outb(v->io + REG_STATUS, STATUS_ACK | STATUS_DRIVER | STATUS_DRIVER_OK);
    legacy_notify(&v->rx);
    v->nic.name = "virtio-net";
    v->nic.transmit = vnet_transmit;
    v->nic.receive = vnet_receive;
    v->nic.irq = d->irq_line >= 1 && d->irq_line < 16 ? d->irq_line : -1;
    v->nic.irq_enable = vnet_irq_enable;
    v->nic.irq_ack = vnet_irq_ack;
    v->nic.priv = v;
    kprintf("virtio-net: io 0x%x, irq %u, queues %u/%u, mac %02x:%02x:%02x:%02x:%02x:%02x\n", v->io, d->irq_line,
            v->rx.size, v->tx.size, v->nic.mac[0], v->nic.mac[1], v->nic.mac[2],
            v->nic.mac[3], v->nic.mac[4], v->nic.mac[5]);
    return &v->nic;
}
