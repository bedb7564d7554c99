/* bundle.h: files embedded in the kernel image at build time (mkbundle.sh writes the
 * table): the example applications' manifests, contracts and WebAssembly modules, under
 * the paths they have in the build tree, so `fopen("sips/apps/echo.sipm")` works. */
#ifndef NODE_KERNEL_METAL_BUNDLE_H
#define NODE_KERNEL_METAL_BUNDLE_H
#include <stddef.h>
#include <stdint.h>

struct bundle_file {
    const char *path;
    const uint8_t *data;
    size_t size;
};

/* The file embedded under `path`, or NULL. */
const struct bundle_file *bundle_find(const char *path);
/* Every embedded file; returns how many. */
size_t bundle_list(const struct bundle_file **files);
#endif
