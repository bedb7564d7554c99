/* nic.c: walks the PCI bus and hands each device to the drivers in turn; the first
 * driver that claims a device (of the wanted kind, if one was asked for) wins. */
#include <string.h>
#include "node-kernel/metal/nic.h"
#include "node-kernel/metal/kprintf.h"

struct search { const char *want; struct nic *found; };

static int try_device(const struct pci_dev *d, void *arg)
{
    struct search *s = arg;
    if (d->class_code != 0x02) return 0;            /* network controllers only */
    kprintf("pci %02x:%02x.%x %04x:%04x network controller\n", d->bus, d->dev, d->fn, d->vendor, d->device);
    if (!s->want || !strcmp(s->want, "virtio")) {           /* chosen by device id */
        s->found = virtio_net_probe(d);
        if (!s->found) s->found = virtio_net_modern_probe(d);
    }
    if (!s->found && (!s->want || !strcmp(s->want, "e1000"))) s->found = e1000_probe(d);
    return s->found != NULL;
}

struct nic *nic_find(const char *want)
{
    struct search s = { want, NULL };
    pci_scan(try_device, &s);
    return s.found;
}
