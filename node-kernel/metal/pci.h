/* pci.h: PCI configuration space access and device enumeration. */
#ifndef METAL_PCI_H
#define METAL_PCI_H
#include <stdint.h>

struct pci_dev {
    uint8_t bus, dev, fn;
    uint16_t vendor, device;
    uint8_t class_code, subclass, irq_line;
};

uint32_t pci_read32(const struct pci_dev *d, uint8_t off);
uint16_t pci_read16(const struct pci_dev *d, uint8_t off);
void     pci_write32(const struct pci_dev *d, uint8_t off, uint32_t v);
void     pci_write16(const struct pci_dev *d, uint8_t off, uint16_t v);

/* BAR i: its address (I/O port or physical memory) and whether it is an I/O BAR. */
uint64_t pci_bar(const struct pci_dev *d, int i, int *is_io);
/* Turn on I/O and memory decoding and bus mastering (DMA). */
void pci_enable(const struct pci_dev *d);

/* Calls fn for every function present; stops early when fn returns non-zero. */
int pci_scan(int (*fn)(const struct pci_dev *d, void *arg), void *arg);
#endif
