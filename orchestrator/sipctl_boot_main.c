/* sipctl_boot_main.c: `sipctl-boot`, the network-boot and fleet subcommands of sipctl as
 * a program of their own, until they are linked into sipctl itself:
 *   sipctl-boot pxe ...     (orchestrator/sipctl_pxe.c)
 *   sipctl-boot fleet ...   (orchestrator/sipctl_fleet.c) */
#include <stdio.h>
#include <string.h>
#include "orchestrator/sipctl_fleet.h"
#include "orchestrator/sipctl_pxe.h"

int main(int argc, char **argv)
{
    if (argc >= 2 && !strcmp(argv[1], "pxe")) return sipctl_pxe(argc - 1, argv + 1);
    if (argc >= 2 && !strcmp(argv[1], "fleet")) return sipctl_fleet(argc - 1, argv + 1);
    fprintf(stderr, "usage: %s pxe|fleet ...   (%s pxe --help, %s fleet --help)\n",
            argv[0], argv[0], argv[0]);
    return 2;
}
