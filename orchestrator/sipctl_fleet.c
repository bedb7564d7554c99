/* sipctl_fleet.c: `sipctl fleet` (see sipctl_fleet.h). */
#include <stdio.h>
#include "orchestrator/sipctl_fleet.h"

int sipctl_fleet(int argc, char **argv)
{
    (void)argc; (void)argv;
    fprintf(stderr, "sipctl fleet: not written yet\n");
    return 2;
}
