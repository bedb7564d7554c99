/* e1000.c: a polled driver for the Intel 8254x family as QEMU emulates it (82540EM,
 * device 0x100E; also 0x100F and 0x10D3 share the basics). Memory-mapped registers,
 * one ring of 32 receive and one of 32 transmit descriptors, 2 KiB buffers. */
#include <string.h>
#include "node-kernel/metal/nic.h"
#include "node-kernel/metal/pmm.h"
#include "node-kernel/metal/heap.h"
#include "node-kernel/metal/kprintf.h"
#include "node-kernel/metal/x86.h"

#define REG_CTRL  0x0000
#define REG_EERD  0x0014
#define REG_ICR   0x00C0
#define REG_IMS   0x00D0
#define REG_IMC   0x00D8
#define INT_LSC    (1u << 2)
#define INT_RXDMT0 (1u << 4)
#define INT_RXO    (1u << 6)
#define INT_RXT0   (1u << 7)
#define REG_RCTL  0x0100
#define REG_TCTL  0x0400
#define REG_TIPG  0x0410
#define REG_RDBAL 0x2800
#define REG_RDBAH 0x2804
#define REG_RDLEN 0x2808
#define REG_RDH   0x2810
#define REG_RDT   0x2818
#define REG_TDBAL 0x3800
#define REG_TDBAH 0x3804
#define REG_TDLEN 0x3808
#define REG_TDH   0x3810
#define REG_TDT   0x3818
#define REG_MTA   0x5200
#define REG_RAL   0x5400
#define REG_RAH   0x5404

#define CTRL_SLU  (1u << 6)
#define CTRL_RST  (1u << 26)
#define RCTL_EN   (1u << 1)
#define RCTL_BAM  (1u << 15)
#define RCTL_SECRC (1u << 26)
#define TCTL_EN   (1u << 1)
#define TCTL_PSP  (1u << 3)
#define CMD_EOP   0x01
#define CMD_IFCS  0x02
#define CMD_RS    0x08
#define STA_DD    0x01

#define RING 32
#define BUF_SIZE 2048

struct rx_desc { uint64_t addr; uint16_t len, csum; uint8_t status, errors; uint16_t special; };
struct tx_desc { uint64_t addr; uint16_t len; uint8_t cso, cmd, status, css; uint16_t special; };

struct e1000 {
    struct nic nic;
    volatile uint32_t *regs;
    volatile struct rx_desc *rx;
    volatile struct tx_desc *tx;
    uint8_t *rx_bufs, *tx_bufs;
    unsigned rx_next, tx_next;
};

static uint32_t rd(struct e1000 *e, unsigned r) { return e->regs[r / 4]; }
static void wr(struct e1000 *e, unsigned r, uint32_t v) { e->regs[r / 4] = v; }

static int read_mac(struct e1000 *e)
{
    uint32_t lo = rd(e, REG_RAL), hi = rd(e, REG_RAH);
    if (hi & (1u << 31)) {                          /* receive address valid */
        for (int i = 0; i < 4; i++) e->nic.mac[i] = (uint8_t)(lo >> (8 * i));
        e->nic.mac[4] = (uint8_t)hi;
        e->nic.mac[5] = (uint8_t)(hi >> 8);
        return 0;
    }
    for (unsigned w = 0; w < 3; w++) {              /* fall back to the EEPROM */
        wr(e, REG_EERD, (w << 8) | 1);
        uint32_t v;
        int spin = 0;
        while (!((v = rd(e, REG_EERD)) & (1u << 4)))
            if (++spin > 1000000) return -1;
        e->nic.mac[2 * w] = (uint8_t)(v >> 16);
        e->nic.mac[2 * w + 1] = (uint8_t)(v >> 24);
    }
    return 0;
}

static int e1000_transmit(struct nic *nic, const void *frame, size_t len)
{
    struct e1000 *e = nic->priv;
    if (len > BUF_SIZE) return -1;
    volatile struct tx_desc *d = &e->tx[e->tx_next];
    for (int spin = 0; d->cmd && !(d->status & STA_DD); spin++) {
        if (spin > 10000000) return -1;             /* ring full and stuck */
        cpu_pause();
    }
    memcpy(e->tx_bufs + (size_t)e->tx_next * BUF_SIZE, frame, len);
    d->len = (uint16_t)len;
    d->status = 0;
    d->cmd = CMD_EOP | CMD_IFCS | CMD_RS;
    e->tx_next = (e->tx_next + 1) % RING;
    __sync_synchronize();
    wr(e, REG_TDT, e->tx_next);
    return 0;
}

static size_t e1000_receive(struct nic *nic, void *out, size_t cap)
{
    struct e1000 *e = nic->priv;
    volatile struct rx_desc *d = &e->rx[e->rx_next];
    if (!(d->status & STA_DD)) return 0;
    barrier();
    size_t n = d->len < cap ? d->len : cap;
    int whole = (d->status & 0x02) && !d->errors;  /* end of packet, no errors */
    if (whole) memcpy(out, e->rx_bufs + (size_t)e->rx_next * BUF_SIZE, n);
    d->status = 0;
    unsigned done = e->rx_next;
    e->rx_next = (e->rx_next + 1) % RING;
    __sync_synchronize();
    wr(e, REG_RDT, done);
    return whole ? n : 0;
}

/* Reading ICR clears the causes and lowers the line. */
static void e1000_irq_ack(struct nic *nic) { (void)rd(nic->priv, REG_ICR); }

static void e1000_irq_enable(struct nic *nic)
{
    (void)rd(nic->priv, REG_ICR);
    wr(nic->priv, REG_IMS, INT_RXT0 | INT_RXO | INT_RXDMT0 | INT_LSC);
}

struct nic *e1000_probe(const struct pci_dev *d)
{
    if (d->vendor != 0x8086 || (d->device != 0x100E && d->device != 0x100F && d->device != 0x10D3))
        return NULL;
    int is_io;
    uint64_t bar = pci_bar(d, 0, &is_io);
    if (is_io || !bar) return NULL;
    pci_enable(d);
    struct e1000 *e = heap_alloc(sizeof *e);
    if (!e) return NULL;
    memset(e, 0, sizeof *e);
    e->regs = (volatile uint32_t *)(uintptr_t)bar;

    wr(e, REG_IMC, 0xFFFFFFFF);
    wr(e, REG_CTRL, rd(e, REG_CTRL) | CTRL_RST);
    for (int i = 0; i < 1000000 && (rd(e, REG_CTRL) & CTRL_RST); i++) cpu_pause();
    wr(e, REG_IMC, 0xFFFFFFFF);
    wr(e, REG_CTRL, rd(e, REG_CTRL) | CTRL_SLU);
    if (read_mac(e)) { kprintf("e1000: cannot read the MAC address\n"); heap_free(e); return NULL; }
    for (int i = 0; i < 128; i++) wr(e, REG_MTA + 4 * i, 0);

    e->rx = pmm_alloc_pages(1);
    e->tx = pmm_alloc_pages(1);
    e->rx_bufs = pmm_alloc_pages(RING * BUF_SIZE / PAGE_SIZE);
    e->tx_bufs = pmm_alloc_pages(RING * BUF_SIZE / PAGE_SIZE);
    if (!e->rx || !e->tx || !e->rx_bufs || !e->tx_bufs) { kprintf("e1000: out of memory\n"); return NULL; }
    for (int i = 0; i < RING; i++) {
        e->rx[i].addr = (uint64_t)(e->rx_bufs + (size_t)i * BUF_SIZE);
        e->tx[i].addr = (uint64_t)(e->tx_bufs + (size_t)i * BUF_SIZE);
    }
    wr(e, REG_RDBAL, (uint32_t)(uint64_t)e->rx);
    wr(e, REG_RDBAH, (uint32_t)((uint64_t)e->rx >> 32));
    wr(e, REG_RDLEN, RING * sizeof(struct rx_desc));
    wr(e, REG_RDH, 0);
    wr(e, REG_RDT, RING - 1);
    wr(e, REG_RCTL, RCTL_EN | RCTL_BAM | RCTL_SECRC);     /* 2 KiB buffers */
    wr(e, REG_TDBAL, (uint32_t)(uint64_t)e->tx);
    wr(e, REG_TDBAH, (uint32_t)((uint64_t)e->tx >> 32));
    wr(e, REG_TDLEN, RING * sizeof(struct tx_desc));
    wr(e, REG_TDH, 0);
    wr(e, REG_TDT, 0);
    wr(e, REG_TIPG, 10 | (8u << 10) | (6u << 20));
    wr(e, REG_TCTL, TCTL_EN | TCTL_PSP | (0x10u << 4) | (0x40u << 12));

    e->nic.name = "e1000";
    e->nic.transmit = e1000_transmit;
    e->nic.receive = e1000_receive;
    e->nic.irq = d->irq_line >= 1 && d->irq_line < 16 ? d->irq_line : -1;
    e->nic.irq_enable = e1000_irq_enable;
    e->nic.irq_ack = e1000_irq_ack;
    e->nic.priv = e;
    kprintf("e1000: mmio 0x%lx, mac %02x:%02x:%02x:%02x:%02x:%02x\n", bar, e->nic.mac[0],
            e->nic.mac[1], e->nic.mac[2], e->nic.mac[3], e->nic.mac[4], e->nic.mac[5]);
    return &e->nic;
}
