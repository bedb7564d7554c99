/* The core links into the bare-metal kernel: its objects may need nothing from a C library
 * but memcpy/memset/memmove/memcmp (what rt.h promises every platform supplies). Checked
 * on the built library with nm. (wasi.o has its own owner and check.) */
#include <stdio.h>
#include <string.h>
#include "tests/core/fixture.h"

static const char *const ALLOWED_PREFIX[] = {
    "memcpy", "memset", "memmove", "memcmp", "plat_", "rt_", "wasm_", "wasi_", "contract_",
    "chan_", "exheap_", "htab_", "kernel_", "msg_", "obj_owner", "owner_sip", "sched_",
    "sip_", "sipabi_", "sys_", "native_", "mig",
};

static bool allowed(const char *sym)
{
    for (size_t i = 0; i < sizeof ALLOWED_PREFIX / sizeof ALLOWED_PREFIX[0]; i++)
        if (!strncmp(sym, ALLOWED_PREFIX[i], strlen(ALLOWED_PREFIX[i])))
            return true;
    return false;
}

static void test_no_libc(void)
{
    FILE *p = popen("nm -A -u build/lib/libnkcore.a 2>&1", "r");
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    char line[512];
    int checked = 0, bad = 0;
    while (fgets(line, sizeof line, p)) {
        char where[256], sym[256];
        if (sscanf(line, "%255s U %255s", where, sym) != 2)
            continue;
        if (strstr(where, ":wasi.o:"))
            continue;
        checked++;
        if (!allowed(sym)) {
            fprintf(stderr, "\n  %s needs %s\n", where, sym);
            bad++;
        }
    }
    pclose(p);
    CU_ASSERT(checked > 50);
    CU_ASSERT_EQUAL(bad, 0);
}

void register_freestanding_tests(void)
{
    CU_pSuite s = CU_add_suite("freestanding core", NULL, NULL);
    CU_add_test(s, "the core needs no C library", test_no_libc);
}
