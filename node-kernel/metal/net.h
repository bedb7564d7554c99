/* net.h: the kernel's network: one NIC under lwIP, configured by DHCP. */
#ifndef METAL_NET_H
#define METAL_NET_H
#include <stdint.h>
struct netif;

/* Finds a NIC (`want` = "virtio", "e1000" or NULL), starts DHCP. 0 on success. With
 * use_irq the NIC's interrupt marks input pending (net_irq_pending) and wakes the CPU. */
int net_init(const char *want, int use_irq);
/* Moves received frames into lwIP and runs its timers; returns frames handled. */
int net_poll(void);
/* True once DHCP has bound an address. */
int net_is_up(void);
/* An interrupt arrived since the last net_poll (check with interrupts off). */
int net_irq_pending(void);
uint64_t net_irq_count(void);
struct netif *net_netif(void);
#endif
