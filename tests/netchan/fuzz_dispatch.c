/* libFuzzer target over netchan's frame decoder and dispatcher. Each input is a series of
 * frames (2-byte little-endian length, then that many bytes) fed to a fresh node as if
 * they arrived from peer node "P": a node with an Echo channel end (id 1, imp side) and an
 * EndpointPass end (id 2, exp side) wired to P, no transport. After every frame the
 * kernel's ownership invariant must hold; a crash, leak or sanitizer report is a finding.
 * Run from the repository root (it reads the contract library). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "netchan/netchan.h"
#include "node-kernel/core/proc.h"

static contract_set *cset;

static void quiet(void *arg, const char *line) { (void)arg; (void)line; }

static void load_contracts(void)
{
    static const char *files[] = { "contracts/lib/echo.contract", "contracts/lib/endpointpass.contract" };
    cset = contract_set_new();
    for (int i = 0; i < 2; i++) {
        FILE *f = fopen(files[i], "rb");
        if (!f) {
            fprintf(stderr, "fuzz_dispatch: run from the repository root (%s)\n", files[i]);
            abort();
        }
        char buf[8192];
        size_t n = fread(buf, 1, sizeof buf, f);
        fclose(f);
        contract_error ce;
        if (contract_set_add(cset, buf, n, files[i], &ce))
            abort();
    }
    contract_error ce;
    if (contract_set_finish(cset, &ce))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!cset)
        load_contracts();
    kernel *k = kernel_new(1u << 20);
    kernel_add_contracts(k, cset);
    sip_quota q = { 0 };
    sip *s = sip_create(k, "fz", &q);
    nc_options o = { .node_id = "N", .log = quiet, .check = true };
    char err[200];
    nc_node *n = nc_new(k, &o, err, sizeof err);
    nc_wire(n, s, "echo", kernel_find_contract(k, "Echo", 4), 1, CONTRACT_IMP, "P", err, sizeof err);
    nc_wire(n, s, "pass", kernel_find_contract(k, "EndpointPass", 12), 2, CONTRACT_EXP, "P", err, sizeof err);
    size_t off = 0;
    while (off + 2 <= size) {
        size_t len = data[off] | (size_t)data[off + 1] << 8;
        off += 2;
        if (len > size - off)
            len = size - off;
        nc_dispatch(n, "P", data + off, len);
        off += len;
    }
    nc_poll(n, 0);
    nc_flush(n);
    char why[256];
    if (kernel_check(k, why, sizeof why)) {
        fprintf(stderr, "invariant: %s\n", why);
        abort();
    }
    nc_free(n);
    kernel_free(k);
    return 0;
}
