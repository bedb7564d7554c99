/* zmtp_client.h: the kernel's netchan link self-test: a ZMTP DEALER over lwIP TCP that
 * says Hello to a peer and waits for a heartbeat reply (protobuf NodeEnvelopes). */
#ifndef METAL_ZMTP_CLIENT_H
#define METAL_ZMTP_CLIENT_H
#include <stdint.h>
int  zmtp_client_start(uint32_t ip_host_order, uint16_t port);
void zmtp_client_poll(void);            /* heartbeat clock and output; call often */
int  zmtp_client_done(void);
#endif
