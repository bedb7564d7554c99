/* virtio_ring.c: split virtqueues for the virtio-net drivers (see virtio_ring.h). */
#include <string.h>
#include "node-kernel/metal/virtio_ring.h"
#include "node-kernel/metal/pmm.h"
#include "node-kernel/metal/x86.h"

static size_t page_round(size_t n) { return (n + PAGE_SIZE - 1) & ~(size_t)(PAGE_SIZE - 1); }

size_t vq_used_offset(uint16_t size) { return page_round(16u * size + 6 + 2u * size); }

int vq_alloc(struct vq *q, uint16_t index, uint16_t size)
{
    if (!size || (size & (size - 1))) return -1;            /* split rings are a power of two */
    size_t used_off = vq_used_offset(size);
    size_t total = used_off + page_round(6 + 8u * size);
    uint8_t *mem = pmm_alloc_pages(total / PAGE_SIZE);
    uint8_t *bufs = pmm_alloc_pages((size_t)size * VQ_BUF_SIZE / PAGE_SIZE);
    if (!mem || !bufs) return -1;
    q->size = size;
    q->index = index;
    q->last_used = q->next_avail = 0;
    q->desc = (struct vq_desc *)mem;
    q->avail = (struct vq_avail *)(mem + 16u * size);
    q->used = (volatile struct vq_used *)(mem + used_off);
    q->bufs = bufs;
    for (uint16_t i = 0; i < size; i++)
        q->desc[i] = (struct vq_desc){ (uint64_t)(uintptr_t)(bufs + (size_t)i * VQ_BUF_SIZE), VQ_BUF_SIZE, 0, 0 };
    return 0;
}

static void vq_push(struct vq *q, uint16_t id)
{
    q->avail->ring[q->avail->idx % q->size] = id;
    barrier();
    q->avail->idx++;
    __sync_synchronize();
    q->notify(q);
}

void vq_fill_receive(struct vq *q)
{
    for (uint16_t i = 0; i < q->size; i++) {
        q->desc[i].flags = VQ_DESC_WRITE;
        q->avail->ring[i] = i;
    }
    barrier();
    q->avail->idx = q->size;
}

int vq_send(struct vq *q, size_t hdr_len, const void *frame, size_t len)
{
    if (len > VQ_BUF_SIZE - hdr_len) return -1;
    for (int spin = 0; (uint16_t)(q->next_avail - q->used->idx) >= q->size; spin++) {
        if (spin > 10000000) return -1;             /* device stopped taking frames */
        cpu_pause();
    }
    uint16_t id = q->next_avail % q->size;
    q->next_avail++;
    uint8_t *buf = q->bufs + (size_t)id * VQ_BUF_SIZE;
    memset(buf, 0, hdr_len);
    memcpy(buf + hdr_len, frame, len);
    q->desc[id].len = (uint32_t)(hdr_len + len);
    q->desc[id].flags = 0;
    vq_push(q, id);
    return 0;
}

size_t vq_receive(struct vq *q, size_t hdr_len, void *out, size_t cap)
{
    if (q->last_used == q->used->idx) return 0;
    barrier();
    struct vq_used_elem e = q->used->ring[q->last_used % q->size];
    q->last_used++;
    size_t n = 0;
    if (e.id < q->size && e.len > hdr_len) {
        n = e.len - hdr_len;
        if (n > cap) n = cap;
        memcpy(out, q->bufs + (size_t)e.id * VQ_BUF_SIZE + hdr_len, n);
    }
    if (e.id < q->size) vq_push(q, (uint16_t)e.id);
    return n;
}
