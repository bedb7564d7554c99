/* virtio_ring.h: the split virtqueue shared by the legacy and the modern virtio-net
 * drivers: descriptor table, available ring and used ring in one zeroed allocation
 * (laid out as the legacy interface demands, which also meets virtio 1.0's
 * alignment rules), and a fixed buffer of VQ_BUF_SIZE bytes per descriptor. How the
 * device is told about new buffers (an I/O port or an MMIO doorbell) is the driver's. */
#ifndef METAL_VIRTIO_RING_H
#define METAL_VIRTIO_RING_H
#include <stddef.h>
#include <stdint.h>

#define VQ_BUF_SIZE    2048
#define VQ_DESC_WRITE  2             /* the device writes this buffer */

struct vq_desc  { uint64_t addr; uint32_t len; uint16_t flags, next; };
struct vq_avail { uint16_t flags, idx, ring[]; };
struct vq_used_elem { uint32_t id, len; };
struct vq_used  { uint16_t flags, idx; struct vq_used_elem ring[]; };

struct vq {
    uint16_t size, index, last_used, next_avail;
    struct vq_desc *desc;
    struct vq_avail *avail;
    volatile struct vq_used *used;
    uint8_t *bufs;                   /* size * VQ_BUF_SIZE */
    void (*notify)(struct vq *q);    /* tells the device that avail->idx moved */
    void *dev;                       /* the driver's, for notify */
};

/* Allocates the rings and buffers of a queue of `size` entries; 0 or -1. */
int vq_alloc(struct vq *q, uint16_t index, uint16_t size);
/* Byte offset of the used ring in the allocation (the legacy PFN layout). */
size_t vq_used_offset(uint16_t size);
/* Hands every buffer to the device for it to fill (a receive queue), without notifying. */
void vq_fill_receive(struct vq *q);
/* Sends hdr_len zero bytes followed by the frame; 0, or -1 if too long or the device stalls. */
int vq_send(struct vq *q, size_t hdr_len, const void *frame, size_t len);
/* Copies out one received frame without its hdr_len header bytes and gives the buffer
 * back; returns its length (0 if none was waiting). */
size_t vq_receive(struct vq *q, size_t hdr_len, void *out, size_t cap);
#endif
