/* A SIP that fails at once (for restart policies): prints a line and exits with status 3. */
#include <stdio.h>

int main(void)
{
    printf("crasher: failing on purpose\n");
    return 3;
}
