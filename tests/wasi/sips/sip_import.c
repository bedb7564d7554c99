/* Test SIP that imports from the "sip" module as well as WASI: wasi_bind must leave that
 * import for the node kernel, and siprun (no node kernel) must refuse the module. */
#include <stdio.h>

__attribute__((import_module("sip"), import_name("yield")))
int sip_yield(void);

int main(void)
{
    printf("before sip_yield\n");
    return sip_yield();
}
