/* test_engine: CUnit tests of sips/engine (validator, compiler, interpreter, fuel, traps,
 * host calls, snapshot/restore). Run with "--snapshot-child FILE" it is the fresh process
 * that finishes a snapshotted computation (see test_snapshot.c). */
#include "tests/engine/engine_test.h"
#include "tests/cunit_main.h"
#include <string.h>

const char *engine_test_self;

int main(int argc, char **argv)
{
    engine_test_self = argv[0];
    if (argc == 3 && strcmp(argv[1], "--snapshot-child") == 0)
        return snapshot_child(argv[2]);
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 1;
    add_basic_suite();
    add_trap_suite();
    add_fuel_suite();
    add_snapshot_suite();
    add_fused_suite();
    add_store_addr_suite();
    return cunit_run_all("build/tests/engine/test_engine");
}
