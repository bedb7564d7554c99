/* pci.c: configuration mechanism #1 (address to port 0xCF8, data at 0xCFC) and a brute
 * force walk of every bus, device and function, skipping absent devices (vendor
 * 0xFFFF) and the other functions of single-function devices. */
#include "node-kernel/metal/pci.h"
#include "node-kernel/metal/x86.h"

static void select_reg(const struct pci_dev *d, uint8_t off)
{
    outl(0xCF8, 0x80000000u | (uint32_t)d->bus << 16 | (uint32_t)d->dev << 11 |
                (uint32_t)d->fn << 8 | (off & 0xFC));
}

uint32_t pci_read32(const struct pci_dev *d, uint8_t off) { select_reg(d, off); return inl(0xCFC); }
uint16_t pci_read16(const struct pci_dev *d, uint8_t off) { select_reg(d, off); return inw(0xCFC + (off & 2)); }
void pci_write32(const struct pci_dev *d, uint8_t off, uint32_t v) { select_reg(d, off); outl(0xCFC, v); }
void pci_write16(const struct pci_dev *d, uint8_t off, uint16_t v) { select_reg(d, off); outw(0xCFC + (off & 2), v); }

uint64_t pci_bar(const struct pci_dev *d, int i, int *is_io)
{
    uint32_t v = pci_read32(d, (uint8_t)(0x10 + 4 * i));
    if (v & 1) { *is_io = 1; return v & ~3u; }
    *is_io = 0;
    uint64_t addr = v & ~0xFu;
    if (((v >> 1) & 3) == 2 && i < 5)             /* 64-bit memory BAR */
        addr |= (uint64_t)pci_read32(d, (uint8_t)(0x10 + 4 * (i + 1))) << 32;
    return addr;
}

void pci_enable(const struct pci_dev *d)
{
    pci_write16(d, 0x04, pci_read16(d, 0x04) | 0x7);
}

int pci_scan(int (*fn)(const struct pci_dev *d, void *arg), void *arg)
{
    for (unsigned bus = 0; bus < 256; bus++)
        for (unsigned dev = 0; dev < 32; dev++)
            for (unsigned f = 0; f < 8; f++) {
                struct pci_dev d = { (uint8_t)bus, (uint8_t)dev, (uint8_t)f, 0, 0, 0, 0, 0 };
                uint32_t id = pci_read32(&d, 0);
                if ((id & 0xFFFF) == 0xFFFF) { if (f == 0) break; continue; }
                d.vendor = id & 0xFFFF;
                d.device = id >> 16;
                uint32_t cls = pci_read32(&d, 0x08);
                d.class_code = cls >> 24;
                d.subclass = (cls >> 16) & 0xFF;
                d.irq_line = pci_read32(&d, 0x3C) & 0xFF;
                int r = fn(&d, arg);
                if (r) return r;
                if (f == 0 && !(pci_read32(&d, 0x0C) & 0x00800000)) break;  /* single function */
            }
    return 0;
}
