/* sipctl_fleet.h: `sipctl fleet up|status|down`, a fleet of libvirt VMs that network-boot
 * the node kernel. argv[0] is "fleet". Returns the process exit status. */
#ifndef ORCHESTRATOR_SIPCTL_FLEET_H
#define ORCHESTRATOR_SIPCTL_FLEET_H
int sipctl_fleet(int argc, char **argv);
#endif
