/* sipctl_pxe.h: `sipctl pxe ...`, network boot helpers for labs:
 *   pxe config  --interface IF [--orch URL] [--range R] [--serve-dhcp] ...  dnsmasq config
 *   pxe script  [--orch URL] [--mac M] [--zmq HOST:PORT] [--token T] [--labels L]
 *   pxe chain   --orch URL                     the stage-1 script for a TFTP server
 *   pxe serve   [--listen IP:PORT] ...         a boot-only HTTP server
 * argv[0] is "pxe". Returns the process exit status. */
#ifndef ORCHESTRATOR_SIPCTL_PXE_H
#define ORCHESTRATOR_SIPCTL_PXE_H
int sipctl_pxe(int argc, char **argv);
#endif
