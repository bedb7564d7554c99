/* Shared by the contracts test program: suite registration and small helpers for
 * parsing contract text in tests. */
#ifndef TESTS_CONTRACTS_HELPERS_H
#define TESTS_CONTRACTS_HELPERS_H

#include <CUnit/CUnit.h>
#include "contracts/contract.h"

#ifndef CONTRACTS_BUILD_DIR
#define CONTRACTS_BUILD_DIR "build"
#endif

void register_parse_suite(void);
void register_errors_suite(void);
void register_check_suite(void);
void register_contractc_suite(void);
void register_stubs_suite(void);
void register_nomem_suite(void);
void register_fuzz_suite(void);

/* Parse a NUL-terminated source as file "test.contract"; NULL on error (err filled). */
contract_set *parse_text(const char *src, contract_error *err);
/* Parse every .contract file of contracts/lib into one set (CU_FAIL and NULL on error). */
contract_set *parse_library(void);
/* Run argv[0] with arguments, stdout and stderr into `output` (NULL: /dev/null); exit
 * status, 128+signal, or -1. The child is waited for, so nothing outlives the call. */
int run_program(char *const argv[], const char *output);
/* The contents of a small text file (malloc'd, NUL-terminated) or NULL. */
char *read_text(const char *path);
/* Make and remove a scratch directory (removes the files inside it). */
char *scratch_dir(void);
void remove_dir(const char *dir);

#endif
