/* test_metal_cmdline.c: the metal kernel's command-line parser (node-kernel/metal/
 * cmdline.c, plain C) tested on the host: iPXE- and QEMU-style lines, labels, HOST:PORT
 * values, and malformed input that must be ignored or refused, never crash. */
#include <stdio.h>
#include <string.h>
#include <CUnit/CUnit.h>
#include "tests/cunit_main.h"
#include "node-kernel/metal/cmdline.h"

static void test_ipxe_line(void)
{
    cmdline_parse("http://10.0.2.2/multiplicity-metal.elf orch=10.0.2.2:7000 token=abc labels=zone=a,rack=3");
    CU_ASSERT_PTR_NULL(cmdline_get("http://10.0.2.2/multiplicity-metal.elf"));
    CU_ASSERT_STRING_EQUAL(cmdline_get("orch"), "10.0.2.2:7000");
    CU_ASSERT_STRING_EQUAL(cmdline_get("token"), "abc");
    CU_ASSERT_STRING_EQUAL(cmdline_get("labels"), "zone=a,rack=3");
    const struct cmdline_label *l;
    CU_ASSERT_EQUAL_FATAL(cmdline_labels(&l), 2);
    CU_ASSERT_STRING_EQUAL(l[0].key, "zone");
    CU_ASSERT_STRING_EQUAL(l[0].value, "a");
    CU_ASSERT_STRING_EQUAL(l[1].key, "rack");
    CU_ASSERT_STRING_EQUAL(l[1].value, "3");
    char host[64];
    unsigned port = 0;
    CU_ASSERT_EQUAL(cmdline_host_port(cmdline_get("orch"), host, sizeof host, &port), 0);
    CU_ASSERT_STRING_EQUAL(host, "10.0.2.2");
    CU_ASSERT_EQUAL(port, 7000);
}

static void test_reparse_and_last_wins(void)
{
    cmdline_parse("  a=1\tb=2   a=3 ");
    CU_ASSERT_STRING_EQUAL(cmdline_get("a"), "3");
    CU_ASSERT_STRING_EQUAL(cmdline_get("b"), "2");
    cmdline_parse("c=4");                        /* a new line forgets the old options */
    CU_ASSERT_PTR_NULL(cmdline_get("a"));
    const struct cmdline_label *l;
    CU_ASSERT_EQUAL(cmdline_labels(&l), 0);
    CU_ASSERT_EQUAL(cmdline_get_long("c", -1), 4);
}

static void test_malformed(void)
{
    cmdline_parse("=x == labels=,,=,k, panic_test=zz empty= n=0x10");
    CU_ASSERT_PTR_NULL(cmdline_get(""));
    CU_ASSERT_EQUAL(cmdline_get_long("panic_test", 5), 5);   /* not a number: the fallback */
    CU_ASSERT_EQUAL(cmdline_get_long("empty", 6), 6);
    CU_ASSERT_EQUAL(cmdline_get_long("n", 0), 16);
    const struct cmdline_label *l;
    size_t n = cmdline_labels(&l);
    CU_ASSERT_EQUAL_FATAL(n, 1);                 /* "=" has an empty key: skipped */
    CU_ASSERT_STRING_EQUAL(l[0].key, "k");
    CU_ASSERT_STRING_EQUAL(l[0].value, "");
    char host[8];
    unsigned port;
    CU_ASSERT_NOT_EQUAL(cmdline_host_port("nocolon", host, sizeof host, &port), 0);
    CU_ASSERT_NOT_EQUAL(cmdline_host_port(":80", host, sizeof host, &port), 0);
    CU_ASSERT_NOT_EQUAL(cmdline_host_port("h:0", host, sizeof host, &port), 0);
    CU_ASSERT_NOT_EQUAL(cmdline_host_port("h:65536", host, sizeof host, &port), 0);
    CU_ASSERT_NOT_EQUAL(cmdline_host_port("h:12x", host, sizeof host, &port), 0);
    CU_ASSERT_NOT_EQUAL(cmdline_host_port("averyveryverylonghost:1", host, sizeof host, &port), 0);
    CU_ASSERT_NOT_EQUAL(cmdline_host_port(NULL, host, sizeof host, &port), 0);
    CU_ASSERT_EQUAL(cmdline_host_port("h:65535", host, sizeof host, &port), 0);
    CU_ASSERT_EQUAL(port, 65535);
}

static void test_long_and_many(void)
{
    static char line[8192];
    size_t n = 0;
    for (int i = 0; i < 600 && n < sizeof line - 16; i++)
        n += (size_t)snprintf(line + n, sizeof line - n, "k%d=v%d ", i, i);
    cmdline_parse(line);                         /* longer than the buffer, more than the table */
    CU_ASSERT_STRING_EQUAL(cmdline_get("k0"), "v0");
    CU_ASSERT_PTR_NULL(cmdline_get("k599"));
    static char labels[4096] = "labels=";
    for (int i = 0; i < 100; i++) strcat(labels, "a=b,");
    cmdline_parse(labels);
    const struct cmdline_label *l;
    CU_ASSERT_EQUAL(cmdline_labels(&l), CMDLINE_MAX_LABELS);
}

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS) return 1;
    CU_pSuite s = CU_add_suite("metal_cmdline", NULL, NULL);
    CU_add_test(s, "iPXE-style line with URI, orch, token, labels", test_ipxe_line);
    CU_add_test(s, "reparse and last occurrence wins", test_reparse_and_last_wins);
    CU_add_test(s, "malformed options", test_malformed);
    CU_add_test(s, "overlong lines and too many options", test_long_and_many);
    return cunit_run_all("build/tests/metal/test_metal_cmdline");
}
