/* net.h: the kernel's network: one NIC under lwIP, configured by DHCP. */
#ifndef METAL_NET_H
#define METAL_NET_H
#include <stdint.h>
struct netif;

/* Finds a NIC (`want` = "virtio", "e1000" or NULL), starts DHCP. 0 on success. */
int net_init(const char *want);
/* Moves received frames into lwIP and runs its timers; returns frames handled. */
int net_poll(void);
/* True once DHCP has bound an address. */
int net_is_up(void);
struct netif *net_netif(void);
#endif
