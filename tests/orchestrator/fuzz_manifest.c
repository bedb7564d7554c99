/* libFuzzer target over the cluster manifest parser: any bytes must give either a valid
 * app (whose invariants are checked here) or an error message that names the file --
 * never a crash, leak or sanitizer report. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "orchestrator/manifest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    om_app a;
    char err[512];
    err[0] = 0;
    if (om_parse((const char *)data, size, "fuzz.yaml", &a, err, sizeof err)) {
        if (strncmp(err, "fuzz.yaml", 9) || a.nsips || a.name)
            abort();
        return 0;
    }
    if (!a.name || !a.nsips)
        abort();
    for (uint32_t i = 0; i < a.nsips; i++)
        if (!a.sips[i].name || !a.sips[i].module || !a.sips[i].replicas)
            abort();
    for (uint32_t i = 0; i < a.nchans; i++)
        if (!om_find_sip(&a, a.chans[i].imp_sip) || !om_find_sip(&a, a.chans[i].exp_sip))
            abort();
    om_free(&a);
    return 0;
}
