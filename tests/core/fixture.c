/* Test fixture for the core tests: kernel setup/teardown and contracts (see fixture.h). */
#include <stdio.h>
#include <string.h>
#include "tests/core/fixture.h"

kernel *K;
contract_set *CSET;

const char TEST_CONTRACTS[] =
    "contract Ping {\n"
    "    in  message Ping(u32 n, bytes data);\n"
    "    out message Pong(u32 n, bytes data);\n"
    "    state Idle { Ping? -> Busy; }\n"
    "    state Busy { Pong! -> Idle; }\n"
    "}\n"
    "contract Stream {\n"
    "    in message Data(u64 seq);\n"
    "    in message Chunk(bytes data);\n"
    "    in message Done();\n"
    "    state Open { Data? -> Open; Chunk? -> Open; Done? -> End; }\n"
    "    final state End { }\n"
    "}\n"
    "contract Carrier {\n"
    "    in message Give(exp<Ping> server);\n"
    "    in message GiveImp(imp<Stream> s);\n"
    "    state S { Give? -> S; GiveImp? -> S; }\n"
    "}\n"
    "contract Box {\n"
    "    in message Put(exp<Box> b);\n"
    "    state S { Put? -> S; }\n"
    "}\n";

void fx_setup(void)
{
    contract_error err;
    CSET = NULL;
    int r = contract_parse(TEST_CONTRACTS, strlen(TEST_CONTRACTS), "test.contract", &CSET, &err);
    if (r != 0)
        fprintf(stderr, "test contracts: %s\n", err.text);
    K = kernel_new(0);
    if (CSET)
        kernel_add_contracts(K, CSET);
}

void fx_teardown(void)
{
    kernel_free(K);
    K = NULL;
    contract_set_free(CSET);
    CSET = NULL;
}

sip *fx_sip_quota(const char *name, uint64_t heap_bytes, uint32_t handles)
{
    sip_quota q = { .heap_bytes = heap_bytes, .handles = handles };
    return sip_create(K, name, &q);
}

sip *fx_sip(const char *name)
{
    return fx_sip_quota(name, 0, 0);
}
