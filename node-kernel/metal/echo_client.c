/* echo_client.c: the first TCP test of the metal network stack, over lwIP's raw API.
 * It sends one line to an echo server on the host (QEMU user networking maps
 * 10.0.2.2 to the host's loopback), collects the same number of bytes back, compares,
 * and reports on the console. */
#include <string.h>
#include "lwip/tcp.h"
#include "lwip/ip_addr.h"
#include "node-kernel/metal/echo_client.h"
#include "node-kernel/metal/net.h"
#include "node-kernel/metal/kprintf.h"
#include "node-kernel/metal/timer.h"

static const char probe[] = "hello from the Multiplicity metal kernel\n";
static char reply[sizeof probe];
static size_t got;
static int done;

static void finish(struct tcp_pcb *pcb, const char *failure)
{
    if (failure) kprintf("ECHO FAILED: %s\n", failure);
    else kprintf("ECHO OK: %u bytes round trip at %lu ms (%lu NIC interrupts so far)\n", (unsigned)got,
                 timer_ns() / 1000000, (unsigned long)net_irq_count());
    if (pcb) {
        tcp_arg(pcb, NULL);
        tcp_recv(pcb, NULL);
        tcp_err(pcb, NULL);
        if (tcp_close(pcb) != ERR_OK) tcp_abort(pcb);
    }
    done = 1;
}

static err_t on_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
    if (!p) { finish(pcb, "connection closed before the echo came back"); return ERR_OK; }
    size_t n = p->tot_len;
    if (got + n > sizeof probe - 1) n = sizeof probe - 1 - got;
    pbuf_copy_partial(p, reply + got, (u16_t)n, 0);
    got += n;
    tcp_recved(pcb, p->tot_len);
    pbuf_free(p);
    if (got == sizeof probe - 1)
        finish(pcb, memcmp(reply, probe, got) ? "echo differs from what was sent" : NULL);
    return ERR_OK;
}

static void on_err(void *arg, err_t err)
{
    kprintf("ECHO FAILED: tcp error %d\n", err);   /* the pcb is already freed */
    done = 1;
}

static err_t on_connected(void *arg, struct tcp_pcb *pcb, err_t err)
{
    kprintf("echo: connected\n");
    tcp_recv(pcb, on_recv);
    if (tcp_write(pcb, probe, sizeof probe - 1, TCP_WRITE_FLAG_COPY) != ERR_OK) {
        finish(pcb, "tcp_write failed");
        return ERR_OK;
    }
    tcp_output(pcb);
    return ERR_OK;
}

int echo_client_start(uint32_t ip, uint16_t port)
{
    struct tcp_pcb *pcb = tcp_new();
    if (!pcb) return -1;
    ip_addr_t addr;
    IP_ADDR4(&addr, ip >> 24, (ip >> 16) & 0xFF, (ip >> 8) & 0xFF, ip & 0xFF);
    tcp_err(pcb, on_err);
    kprintf("echo: connecting to %s:%u\n", ipaddr_ntoa(&addr), port);
    if (tcp_connect(pcb, &addr, port, on_connected) != ERR_OK) { tcp_abort(pcb); return -1; }
    return 0;
}

int echo_client_done(void) { return done; }
