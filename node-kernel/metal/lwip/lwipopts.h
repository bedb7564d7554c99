/* lwipopts.h: lwIP configuration for the metal kernel: no OS (NO_SYS, raw API only,
 * called from the kernel's single poll loop), IPv4 with ARP, DHCP, TCP and UDP,
 * lwIP's own heap and pools, no statistics. */
#ifndef METAL_LWIPOPTS_H
#define METAL_LWIPOPTS_H

#define NO_SYS                  1
#define SYS_LIGHTWEIGHT_PROT    0
#define LWIP_SOCKET             0
#define LWIP_NETCONN            0
#define LWIP_NETIF_API          0

#define MEM_ALIGNMENT           8
#define MEM_SIZE                (512 * 1024)
#define MEMP_NUM_PBUF           64
#define MEMP_NUM_TCP_PCB        16
#define MEMP_NUM_TCP_PCB_LISTEN 4
#define MEMP_NUM_TCP_SEG        128
#define MEMP_NUM_SYS_TIMEOUT    16
#define PBUF_POOL_SIZE          256
#define PBUF_POOL_BUFSIZE       1536

#define LWIP_IPV4               1
#define LWIP_IPV6               0
#define LWIP_ARP                1
#define LWIP_ETHERNET           1
#define LWIP_ICMP               1
#define LWIP_UDP                1
#define LWIP_TCP                1
#define LWIP_RAW                0
#define LWIP_DHCP               1
#define DHCP_DOES_ARP_CHECK     0       /* QEMU's DHCP server is authoritative: bind at once */
#define LWIP_AUTOIP             0
#define LWIP_DNS                0
#define LWIP_IGMP               0

#define TCP_MSS                 1460
#define TCP_WND                 (16 * TCP_MSS)
#define TCP_SND_BUF             (16 * TCP_MSS)
#define TCP_SND_QUEUELEN        (4 * TCP_SND_BUF / TCP_MSS)
#define LWIP_TCP_KEEPALIVE      1

#define LWIP_NETIF_STATUS_CALLBACK 1
#define LWIP_NETIF_LINK_CALLBACK   1
#define LWIP_NETIF_HOSTNAME        1

#define LWIP_STATS              0
#define LWIP_CHKSUM_ALGORITHM   3

#endif
