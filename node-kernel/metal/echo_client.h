/* echo_client.h: a raw TCP round-trip self-test against a host echo server. */
#ifndef METAL_ECHO_CLIENT_H
#define METAL_ECHO_CLIENT_H
#include <stdint.h>
/* Connects to ip:port once the network is up, sends a line, expects it back, prints
 * "ECHO OK" (or "ECHO FAILED: why") and closes. */
int  echo_client_start(uint32_t ip_host_order, uint16_t port);
int  echo_client_done(void);
#endif
