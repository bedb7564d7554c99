/* virtio_net_modern.c: a polled driver for modern (virtio 1.0) virtio-net PCI devices,
 * vendor 0x1AF4 device 0x1041 -- what QEMU offers with disable-legacy=on, libvirt's
 * model 'virtio-non-transitional', and the only id Debian's iPXE virtio ROM matches.
 * The device has no I/O BAR: its registers are memory-mapped structures that vendor
 * PCI capabilities (id 0x09) locate inside its BARs -- common configuration (features,
 * status, queues), notification doorbells, the interrupt status byte and the
 * virtio-net configuration (the MAC); UEFI firmware may put that BAR above 4 GiB
 * (mmio_map.c maps it). Rings and buffers are virtio_ring.c's; the
 * header before every frame is the 12-byte virtio 1.0 one (no offloads, so zero). */
#include <string.h>
#include "node-kernel/metal/nic.h"
#include "node-kernel/metal/virtio_ring.h"
#include "node-kernel/metal/heap.h"
#include "node-kernel/metal/mmio_map.h"
#include "node-kernel/metal/kprintf.h"
#include "node-kernel/metal/x86.h"

#define PCI_STATUS_CAPS   0x10           /* status register: has a capability list */
#define PCI_CAP_VENDOR    0x09
#define CFG_COMMON        1
#define CFG_NOTIFY        2
#define CFG_ISR           3
#define CFG_DEVICE        4

/* Common configuration structure, byte offsets. */
#define COMMON_DFSELECT   0x00
#define COMMON_DF         0x04
#define COMMON_GFSELECT   0x08
#define COMMON_GF         0x0C
#define COMMON_STATUS     0x14
#define COMMON_Q_SELECT   0x16
#define COMMON_Q_SIZE     0x18
#define COMMON_Q_ENABLE   0x1C
#define COMMON_Q_NOFF     0x1E
#define COMMON_Q_DESC     0x20
#define COMMON_Q_DRIVER   0x28
#define COMMON_Q_DEVICE   0x30

#define STATUS_ACK         1
#define STATUS_DRIVER      2
#define STATUS_DRIVER_OK   4
#define STATUS_FEATURES_OK 8
#define STATUS_FAILED      128
#define FEATURE_MAC        (1u << 5)
#define FEATURE_VERSION_1  (1u << 0)     /* bit 32: the high word's bit 0 */

#define COMMON_LEN        0x38           /* the common structure's size in virtio 1.0 */
#define NET_HDR_LEN  12
#define MAX_QUEUE    256                 /* enough for a polled NIC; smaller rings are kept */

struct mvnet {
    struct nic nic;
    volatile uint8_t *common, *notify_base, *isr, *device;
    uint32_t notify_mult, notify_len;
    struct vq rx, tx;
    volatile uint16_t *doorbell[2];
};

static uint8_t cfg8(const struct pci_dev *d, uint8_t off) { return (uint8_t)(pci_read32(d, off & 0xFC) >> (8 * (off & 3))); }

static uint8_t  rd8(volatile uint8_t *b, unsigned off)  { return *(volatile uint8_t *)(b + off); }
static uint16_t rd16(volatile uint8_t *b, unsigned off) { return *(volatile uint16_t *)(b + off); }
static uint32_t rd32(volatile uint8_t *b, unsigned off) { return *(volatile uint32_t *)(b + off); }
static void wr8(volatile uint8_t *b, unsigned off, uint8_t v)   { *(volatile uint8_t *)(b + off) = v; }
static void wr16(volatile uint8_t *b, unsigned off, uint16_t v) { *(volatile uint16_t *)(b + off) = v; }
static void wr32(volatile uint8_t *b, unsigned off, uint32_t v) { *(volatile uint32_t *)(b + off) = v; }
static void wr64(volatile uint8_t *b, unsigned off, uint64_t v)
{
    wr32(b, off, (uint32_t)v);
    wr32(b, off + 4, (uint32_t)(v >> 32));
}

/* Walks the capability list for the virtio structures; 0 when the four were found. */
static int find_structures(const struct pci_dev *d, struct mvnet *v)
{
    if (!(pci_read16(d, 0x06) & PCI_STATUS_CAPS)) return -1;
    uint8_t at = cfg8(d, 0x34) & 0xFC;
    for (int guard = 0; at >= 0x40 && guard < 48; guard++) {
        uint8_t id = cfg8(d, at), next = cfg8(d, (uint8_t)(at + 1)) & 0xFC;
        if (id == PCI_CAP_VENDOR) {
            uint8_t type = cfg8(d, (uint8_t)(at + 3)), bar = cfg8(d, (uint8_t)(at + 4));
            uint32_t off = pci_read32(d, (uint8_t)(at + 8)), len = pci_read32(d, (uint8_t)(at + 12));
            uint32_t need = type == CFG_COMMON ? COMMON_LEN : type == CFG_NOTIFY ? 2 : type == CFG_ISR ? 1 : 6;
            if (bar <= 5 && type >= CFG_COMMON && type <= CFG_DEVICE && len >= need) {
                int is_io;
                uint64_t base = pci_bar(d, bar, &is_io);
                if (is_io || !base) { at = next; continue; }
                if (mmio_map(base + off, len)) {            /* above 4 GiB under UEFI */
                    kprintf("virtio-net: BAR%u at 0x%lx cannot be mapped\n", bar, base);
                    return -1;
                }
                volatile uint8_t *p = (volatile uint8_t *)(uintptr_t)(base + off);
                if (type == CFG_COMMON && !v->common) v->common = p;
                else if (type == CFG_NOTIFY && !v->notify_base) {
                    v->notify_base = p;
                    v->notify_mult = pci_read32(d, (uint8_t)(at + 16));
                    v->notify_len = len;
                } else if (type == CFG_ISR && !v->isr) v->isr = p;
                else if (type == CFG_DEVICE && !v->device) v->device = p;
            }
        }
        at = next;
    }
    return v->common && v->notify_base && v->isr && v->device ? 0 : -1;
}

static void modern_notify(struct vq *q)
{
    struct mvnet *v = q->dev;
    *v->doorbell[q->index] = q->index;
}

static int queue_setup(struct mvnet *v, struct vq *q, uint16_t index)
{
    wr16(v->common, COMMON_Q_SELECT, index);
    uint16_t size = rd16(v->common, COMMON_Q_SIZE);
    if (size > MAX_QUEUE) size = MAX_QUEUE;
    if (!size || vq_alloc(q, index, size)) return -1;
    wr16(v->common, COMMON_Q_SIZE, size);
    wr64(v->common, COMMON_Q_DESC, (uint64_t)(uintptr_t)q->desc);
    wr64(v->common, COMMON_Q_DRIVER, (uint64_t)(uintptr_t)q->avail);
    wr64(v->common, COMMON_Q_DEVICE, (uint64_t)(uintptr_t)q->used);
    uint64_t noff = (uint64_t)rd16(v->common, COMMON_Q_NOFF) * v->notify_mult;
    if (noff + 2 > v->notify_len) return -1;             /* doorbell outside its structure */
    v->doorbell[index] = (volatile uint16_t *)(v->notify_base + noff);
    q->notify = modern_notify;
    q->dev = v;
    wr16(v->common, COMMON_Q_ENABLE, 1);
    return 0;
}

static int mvnet_transmit(struct nic *nic, const void *frame, size_t len)
{
    struct mvnet *v = nic->priv;
    return vq_send(&v->tx, NET_HDR_LEN, frame, len);
}

static size_t mvnet_receive(struct nic *nic, void *out, size_t cap)
{
    struct mvnet *v = nic->priv;
    return vq_receive(&v->rx, NET_HDR_LEN, out, cap);
}

/* Reading the ISR status byte lowers the (INTx) interrupt line. */
static void mvnet_irq_ack(struct nic *nic)
{
    struct mvnet *v = nic->priv;
    (void)rd8(v->isr, 0);
}

static void mvnet_irq_enable(struct nic *nic) { (void)nic; }    /* used-ring interrupts are on */

static struct nic *fail(struct mvnet *v, const char *why)
{
    if (v->common) wr8(v->common, COMMON_STATUS, STATUS_FAILED);
    kprintf("virtio-net (modern): %s\n", why);
    heap_free(v);
    return NULL;
}

struct nic *virtio_net_modern_probe(const struct pci_dev *d)
{
    if (d->vendor != 0x1AF4 || d->device != 0x1041) return NULL;
    struct mvnet *v = heap_alloc(sizeof *v);
    if (!v) return NULL;
    memset(v, 0, sizeof *v);
    if (find_structures(d, v)) return fail(v, "virtio PCI capabilities missing or unusable");
    pci_enable(d);
    wr8(v->common, COMMON_STATUS, 0);                          /* reset, then wait for it */
    for (int spin = 0; rd8(v->common, COMMON_STATUS) != 0; spin++) {
        if (spin > 1000000) return fail(v, "device does not reset");
        cpu_pause();
    }
    wr8(v->common, COMMON_STATUS, STATUS_ACK);
    wr8(v->common, COMMON_STATUS, STATUS_ACK | STATUS_DRIVER);
    wr32(v->common, COMMON_DFSELECT, 0);
    uint32_t lo = rd32(v->common, COMMON_DF);
    wr32(v->common, COMMON_DFSELECT, 1);
    uint32_t hi = rd32(v->common, COMMON_DF);
    if (!(hi & FEATURE_VERSION_1)) return fail(v, "device does not offer VIRTIO_F_VERSION_1");
    wr32(v->common, COMMON_GFSELECT, 0);
    wr32(v->common, COMMON_GF, lo & FEATURE_MAC);
    wr32(v->common, COMMON_GFSELECT, 1);
    wr32(v->common, COMMON_GF, FEATURE_VERSION_1);
    wr8(v->common, COMMON_STATUS, STATUS_ACK | STATUS_DRIVER | STATUS_FEATURES_OK);
    if (!(rd8(v->common, COMMON_STATUS) & STATUS_FEATURES_OK)) return fail(v, "device refused the features");
    if (queue_setup(v, &v->rx, 0) || queue_setup(v, &v->tx, 1)) return fail(v, "queue setup failed");
    for (int i = 0; i < 6; i++) v->nic.mac[i] = (lo & FEATURE_MAC) ? rd8(v->device, (unsigned)i) : 0;
    vq_fill_receive(&v->rx);                /* give every receive buffer to the device */
    wr8(v->common, COMMON_STATUS, STATUS_ACK | STATUS_DRIVER | STATUS_FEATURES_OK | STATUS_DRIVER_OK);
    modern_notify(&v->rx);
    v->nic.name = "virtio-net";
    v->nic.transmit = mvnet_transmit;
    v->nic.receive = mvnet_receive;
    v->nic.irq = d->irq_line >= 1 && d->irq_line < 16 ? d->irq_line : -1;
    v->nic.irq_enable = mvnet_irq_enable;
    v->nic.irq_ack = mvnet_irq_ack;
    v->nic.priv = v;
    kprintf("virtio-net: modern, common cfg at 0x%lx, irq %u, queues %u/%u, mac %02x:%02x:%02x:%02x:%02x:%02x\n",
            (uint64_t)(uintptr_t)v->common, d->irq_line, v->rx.size, v->tx.size, v->nic.mac[0], v->nic.mac[1],
            v->nic.mac[2], v->nic.mac[3], v->nic.mac[4], v->nic.mac[5]);
    return &v->nic;
}
