/* sipctl_fleet.h: `sipctl fleet`, a fleet of libvirt VMs that network-boot the node kernel.
 *   fleet up -n N [--memory MIB] [--uri URI] [--name NAME] ...   create and watch them boot
 *   fleet status [--name NAME]                                  where each node is
 *   fleet down [--name NAME]                                    remove everything up made
 * argv[0] is "fleet". Returns the process exit status. */
#ifndef ORCHESTRATOR_SIPCTL_FLEET_H
#define ORCHESTRATOR_SIPCTL_FLEET_H
int sipctl_fleet(int argc, char **argv);
#endif
