/* The contracts test program: parser, well-formedness errors, run-time checks, contractc
 * output (headers, tables, docs), generated stubs, and a bounded parser fuzz run. */
#include "tests/cunit_main.h"
#include "tests/contracts/helpers.h"

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS) return 1;
    register_parse_suite();
    register_errors_suite();
    register_check_suite();
    register_contractc_suite();
    register_stubs_suite();
    register_nomem_suite();
    register_fuzz_suite();
    return cunit_run_all(CONTRACTS_BUILD_DIR "/tests/contracts/test_contracts");
}
