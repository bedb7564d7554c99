/* tests/migrate: live SIP migration (see build.mk). Run from the repository root. */
#include "tests/cunit_main.h"

void register_image_tests(void);
void register_local_tests(void);
void register_process_tests(void);
void register_netchan_tests(void);

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 1;
    register_image_tests();
    register_local_tests();
    register_process_tests();
    register_netchan_tests();
    return cunit_run_all("build/tests/migrate/test_migrate");
}
