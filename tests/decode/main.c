/* Test program for the engine's decoder layer: registers every suite of tests/decode. */
#include <CUnit/CUnit.h>
#include "tests/cunit_main.h"
#include "tests/decode/decode_test.h"

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 1;
    register_reader_tests();
    register_valid_tests();
    register_malformed_tests();
    register_spec_corpus_tests();
    register_freestanding_tests();
    return cunit_run_all("build/tests/decode/test_decode");
}
