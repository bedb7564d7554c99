/* mmio_map.h: identity mappings for device memory above 4 GiB. boot.S maps only the
 * low 4 GiB; UEFI firmware (OVMF) puts 64-bit BARs, such as a modern virtio device's,
 * far above that. */
#ifndef METAL_MMIO_MAP_H
#define METAL_MMIO_MAP_H
#include <stdint.h>

/* Identity-maps [addr, addr+len) uncached with 2 MiB pages (a no-op below 4 GiB).
 * 0, or -1 when out of memory or beyond 48-bit addresses. */
int mmio_map(uint64_t addr, uint64_t len);
#endif
