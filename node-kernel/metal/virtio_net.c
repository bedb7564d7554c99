/* virtio_net.c: a polled driver for legacy and transitional virtio-net PCI devices
 * (vendor 0x1AF4, device 0x1000), through the legacy I/O BAR. Queue 0 receives and
 * queue 1 transmits; every descriptor owns one fixed 2 KiB buffer that starts with
 * the 10-byte virtio-net header (no offloads are negotiated, so it stays zero). */
#include <string.h>
#include "node-kernel/metal/nic.h"
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

#define DESC_F_WRITE 2
#define NET_HDR_LEN  10
#define BUF_SIZE     2048

struct vq_desc  { uint64_t addr; uint32_t len; uint16_t flags, next; };
struct vq_avail { uint16_t flags, idx, ring[]; };
struct vq_used_elem { uint32_t id, len; };
struct vq_used  { uint16_t flags, idx; struct vq_used_elem ring[]; };

struct vq {
    uint16_t size, index, last_used, next_avail;
    struct vq_desc *desc;
    struct vq_avail *avail;
    volatile struct vq_used *used;
    uint8_t *bufs;                  /* size * BUF_SIZE */
};

struct vnet {
    struct nic nic;
    uint16_t io;
    struct vq rx, tx;
};

static int vq_setup(struct vnet *v, struct vq *q, uint16_t index)
{
    outw(v->io + REG_QUEUE_SELECT, index);
    uint16_t size = inw(v->io + REG_QUEUE_SIZE);
    if (!size) return -1;
    size_t avail_end = 16u * size + 6 + 2u * size;
    size_t used_off = (avail_end + PAGE_SIZE - 1) & ~(size_t)(PAGE_SIZE - 1);
    size_t total = used_off + ((6 + 8u * size + PAGE_SIZE - 1) & ~(size_t)(PAGE_SIZE - 1));
    uint8_t *mem = pmm_alloc_pages(total / PAGE_SIZE);
    q->bufs = pmm_alloc_pages((size_t)size * BUF_SIZE / PAGE_SIZE);
    if (!mem || !q->bufs) return -1;
    q->size = size;
    q->index = index;
    q->desc = (struct vq_desc *)mem;
    q->avail = (struct vq_avail *)(mem + 16u * size);
    q->used = (volatile struct vq_used *)(mem + used_off);
    for (uint16_t i = 0; i < size; i++)
        q->desc[i] = (struct vq_desc){ (uint64_t)(q->bufs + (size_t)i * BUF_SIZE), BUF_SIZE, 0, 0 };
    outl(v->io + REG_QUEUE_PFN, (uint32_t)((uint64_t)mem / PAGE_SIZE));
    return 0;
}

static void vq_push(struct vnet *v, struct vq *q, uint16_t id)
{
    q->avail->ring[q->avail->idx % q->size] = id;
    barrier();
    q->avail->idx++;
    __sync_synchronize();
    outw(v->io + REG_QUEUE_NOTIFY, q->index);
}

static int vnet_transmit(struct nic *nic, const void *frame, size_t len)
{
    struct vnet *v = nic->priv;
    struct vq *q = &v->tx;
    if (len > BUF_SIZE - NET_HDR_LEN) return -1;
    for (int spin = 0; (uint16_t)(q->next_avail - q->used->idx) >= q->size; spin++) {
        if (spin > 10000000) return -1;             /* device stopped taking frames */
        cpu_pause();
    }
    uint16_t id = q->next_avail % q->size;
    q->next_avail++;
    uint8_t *buf = q->bufs + (size_t)id * BUF_SIZE;
    memset(buf, 0, NET_HDR_LEN);
    memcpy(buf + NET_HDR_LEN, frame, len);
    q->desc[id].len = (uint32_t)(NET_HDR_LEN + len);
    q->desc[id].flags = 0;
    vq_push(v, q, id);
    return 0;
}

static size_t vnet_receive(struct nic *nic, void *out, size_t cap)
{
    struct vnet *v = nic->priv;
    struct vq *q = &v->rx;
    if (q->last_used == q->used->idx) return 0;
    barrier();
    struct vq_used_elem e = q->used->ring[q->last_used % q->size];
    q->last_used++;
    size_t n = 0;
    if (e.id < q->size && e.len > NET_HDR_LEN) {
        n = e.len - NET_HDR_LEN;
        if (n > cap) n = cap;
        memcpy(out, q->bufs + (size_t)e.id * BUF_SIZE + NET_HDR_LEN, n);
    }
    if (e.id < q->size) vq_push(v, q, (uint16_t)e.id);
    return n;
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
    /* give every receive buffer to the device */
    for (uint16_t i = 0; i < v->rx.size; i++) {
        v->rx.desc[i].flags = DESC_F_WRITE;
        v->rx.avail->ring[i] = i;
    }
    barrier();
    v->rx.avail->idx = v->rx.size;
    outb(v->io + REG_STATUS, STATUS_ACK | STATUS_DRIVER | STATUS_DRIVER_OK);
    outw(v->io + REG_QUEUE_NOTIFY, 0);
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
