/* tests/core: unit tests of the node kernel core (exchange heap, handles, channels,
 * contracts at run time, SIP table, scheduler, reclamation, hostile SIPs). */
#include "tests/cunit_main.h"
#include "tests/core/fixture.h"

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 1;
    register_heap_tests();
    register_channel_tests();
    register_sched_tests();
    register_manifest_tests();
    register_proxy_tests();
    register_freestanding_tests();
    return cunit_run_all("build/tests/core/test_core");
}
