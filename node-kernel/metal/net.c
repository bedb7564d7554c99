/* net.c: glue between a NIC driver and lwIP. The netif sends frames through the
 * driver; net_poll copies received frames into pbufs for lwIP and drives lwIP's timers.
 * DHCP runs at start; the bound address is printed as "DHCP: bound A.B.C.D". */
#include <string.h>
#include "lwip/init.h"
#include "lwip/netif.h"
#include "lwip/dhcp.h"
#include "lwip/etharp.h"
#include "lwip/timeouts.h"
#include "lwip/pbuf.h"
#include "netif/ethernet.h"
#include "node-kernel/metal/net.h"
#include "node-kernel/metal/nic.h"
#include "node-kernel/metal/kprintf.h"
#include "node-kernel/metal/idt.h"

static struct netif netif;
static struct nic *nic;
static int up;
static volatile int irq_pending;
static volatile uint64_t irq_count;

static void nic_interrupt(void)
{
    nic->irq_ack(nic);
    irq_pending = 1;
    irq_count++;
}

static err_t link_output(struct netif *n, struct pbuf *p)
{
    static uint8_t frame[NIC_MAX_FRAME];
    size_t len = pbuf_copy_partial(p, frame, sizeof frame, 0);
    return nic->transmit(nic, frame, len) == 0 ? ERR_OK : ERR_IF;
}

static err_t netif_setup(struct netif *n)
{
    n->name[0] = 'e';
    n->name[1] = 'n';
    n->hwaddr_len = 6;
    memcpy(n->hwaddr, nic->mac, 6);
    n->mtu = 1500;
    n->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP | NETIF_FLAG_ETHERNET | NETIF_FLAG_LINK_UP;
    n->output = etharp_output;
    n->linkoutput = link_output;
    return ERR_OK;
}

static void status_changed(struct netif *n)
{
    if (!ip4_addr_isany_val(*netif_ip4_addr(n)) && !up) {
        up = 1;
        kprintf("DHCP: bound %s", ip4addr_ntoa(netif_ip4_addr(n)));
        kprintf(" netmask %s", ip4addr_ntoa(netif_ip4_netmask(n)));
        kprintf(" gateway %s\n", ip4addr_ntoa(netif_ip4_gw(n)));
    }
}

int net_init(const char *want, int use_irq)
{
    nic = nic_find(want);
    if (!nic) {
        kprintf("net: no supported network card%s%s\n", want ? " of kind " : "", want ? want : "");
        return -1;
    }
    lwip_init();
    if (!netif_add(&netif, NULL, NULL, NULL, NULL, netif_setup, ethernet_input)) return -1;
    netif_set_hostname(&netif, "multiplicity");
    netif_set_default(&netif);
    netif_set_status_callback(&netif, status_changed);
    netif_set_up(&netif);
    if (use_irq && nic->irq > 0 && nic->irq_ack) {
        irq_register(nic->irq, nic_interrupt);
        nic->irq_enable(nic);
        kprintf("net: %s interrupts on IRQ %d\n", nic->name, nic->irq);
    } else {
        kprintf("net: %s polled (no interrupts)\n", nic->name);
    }
    kprintf("net: %s up, starting DHCP\n", nic->name);
    return dhcp_start(&netif) == ERR_OK ? 0 : -1;
}

int net_poll(void)
{
    static uint8_t frame[NIC_MAX_FRAME];
    int handled = 0;
    size_t len;
    irq_pending = 0;                    /* whatever raised it is read below */
    while (handled < 64 && (len = nic->receive(nic, frame, sizeof frame)) > 0) {
        struct pbuf *p = pbuf_alloc(PBUF_RAW, (u16_t)len, PBUF_POOL);
        if (!p) break;
        pbuf_take(p, frame, (u16_t)len);
        if (netif.input(p, &netif) != ERR_OK) pbuf_free(p);
        handled++;
    }
    sys_check_timeouts();
    return handled;
}

int net_is_up(void) { return up; }
int net_irq_pending(void) { return irq_pending; }
uint64_t net_irq_count(void) { return irq_count; }
struct netif *net_netif(void) { return &netif; }
