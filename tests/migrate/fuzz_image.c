/* libFuzzer target over the SIP image reader (migrate_restore) and the pre-copy reader
 * (migrate_base_apply). Each input is re-sealed (its checksum recomputed) so mutations get
 * past the checksum to the structural checks. A restored SIP is killed again; after every
 * input the kernel's invariant must hold and nothing may be left in it -- else abort().
 * Needs, relative to the working directory (the repository root): the Echo and Stage
 * contracts and build/sips/tests/migrate/sips/compute.wasm (the seeds' module). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "node-kernel/core/migrate.h"
#include "node-kernel/core/wasm_sip.h"

static kernel *K;
static contract_set *CS;
static wasm_module *MOD;

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *p = malloc((size_t)n + 1);
    if (p && fread(p, 1, (size_t)n, f) != (size_t)n) {
        free(p);
        p = NULL;
    }
    fclose(f);
    if (p) {
        p[n] = 0;
        *len = (size_t)n;
    }
    return p;
}

static void setup(void)
{
    static const char *const contracts[] = { "contracts/lib/echo.contract", "sips/apps/stage.contract" };
    CS = contract_set_new();
    for (int i = 0; i < 2; i++) {
        size_t len;
        char *src = slurp(contracts[i], &len);
        contract_error e;
        if (!src || contract_set_add(CS, src, len, contracts[i], &e)) {
            fprintf(stderr, "fuzz_image: cannot load %s\n", contracts[i]);
            abort();
        }
        free(src);
    }
    contract_error e;
    if (contract_set_finish(CS, &e))
        abort();
    size_t len;
    char *bytes = slurp("build/sips/tests/migrate/sips/compute.wasm", &len);
    char err[256];
    MOD = bytes ? wasm_sip_load_module((const uint8_t *)bytes, len, err, sizeof err) : NULL;
    free(bytes);
    if (!MOD) {
        fprintf(stderr, "fuzz_image: no compute.wasm (run from the repository root)\n");
        abort();
    }
    K = kernel_new(0);
    kernel_add_contracts(K, CS);
}

static const wasm_module *find(void *arg, const uint8_t *hash, char *err, size_t errlen)
{
    if (!memcmp(wasm_module_hash(MOD), hash, 32))
        return MOD;
    snprintf(err, errlen, "unknown module");
    return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!K)
        setup();
    uint8_t *buf = malloc(size ? size : 1);
    if (!buf)
        return 0;
    memcpy(buf, data, size);
    char err[256];
    if (size && data[0] == 'M' && size > 4 && data[1] == 'P') {
        /* a pre-copy round ("MPRE"): apply to a fresh base */
        migrate_base base = { 0 };
        migrate_base_apply(&base, buf, size, err, sizeof err);
        migrate_base_free(&base);
    } else {
        migrate_reseal(buf, size);
        endpoint **ext = NULL;
        uint32_t next = 0;
        sip *s = migrate_restore(K, buf, size, NULL, find, NULL, &ext, &next, err, sizeof err);
        if (s) {
            for (uint32_t i = 0; i < next; i++)
                ext[i]->peer_closed = true;
            sip_kill(s, "fuzz");
        }
        free(ext);
    }
    free(buf);
    char why[256];
    if (kernel_check(K, why, sizeof why) || K->nsips_live || K->heap.live_blocks ||
        K->live_endpoints) {
        fprintf(stderr, "fuzz_image: kernel not clean after an input: %s\n", why);
        abort();
    }
    return 0;
}
