/* efi_stub.c: makes the Multiboot node kernel startable by UEFI firmware and by iPXE's
 * EFI build, which run only EFI applications. This PE32+ application carries the kernel
 * image (kernel_blob.S) and, in efi_main: reads the command line iPXE passed as the
 * image's load options, claims the kernel's physical range and copies its segments
 * there, builds a Multiboot 1 information block (command line, memory map), leaves the
 * firmware's boot services and enters the kernel's Multiboot entry in 32-bit protected
 * mode through trampoline.S -- the state a BIOS Multiboot loader leaves. */
#include "pxe/efistub/efi.h"
#include "node-kernel/metal/multiboot.h"

extern const uint8_t kernel_blob[], kernel_blob_end[];
void enter_multiboot(uint32_t entry, uint32_t info);          /* trampoline.S: no return */

static struct efi_system_table *st;

static void say(const char *s)
{
    char16 buf[160];
    size_t n = 0;
    for (; *s && n + 2 < sizeof buf / sizeof *buf; s++) {
        if (*s == '\n') buf[n++] = '\r';
        buf[n++] = (unsigned char)*s;
    }
    buf[n] = 0;
    st->con_out->output_string(st->con_out, buf);
}

static void copy(void *dst, const void *src, size_t n)
{
    uint8_t *d = dst;
    const uint8_t *s = src;
    if (d < s) while (n--) *d++ = *s++;
    else { d += n; s += n; while (n--) *--d = *--s; }
}

static void zero(void *dst, size_t n) { uint8_t *d = dst; while (n--) *d++ = 0; }

struct elf32_header {
    uint8_t ident[16];
    uint16_t type, machine;
    uint32_t version, entry, phoff, shoff, flags;
    uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};
struct elf32_phdr { uint32_t type, offset, vaddr, paddr, filesz, memsz, flags, align; };

/* The lowest and highest physical addresses the kernel's loadable segments cover; -1
 * if the image is not a 32-bit x86 ELF whose segments lie inside it and below 4 GiB. */
static int kernel_extent(const struct elf32_header *h, size_t size, uint64_t *lo, uint64_t *hi)
{
    if (size < sizeof *h || h->ident[0] != 0x7F || h->ident[1] != 'E' || h->ident[2] != 'L' ||
        h->ident[3] != 'F' || h->ident[4] != 1 || h->machine != 3 || h->phentsize != sizeof(struct elf32_phdr) ||
        (uint64_t)h->phoff + (uint64_t)h->phnum * sizeof(struct elf32_phdr) > size)
        return -1;
    const struct elf32_phdr *ph = (const void *)((const uint8_t *)h + h->phoff);
    *lo = ~0ull;
    *hi = 0;
    for (unsigned i = 0; i < h->phnum; i++) {
        if (ph[i].type != 1 || !ph[i].memsz) continue;               /* PT_LOAD only */
        if ((uint64_t)ph[i].offset + ph[i].filesz > size || ph[i].filesz > ph[i].memsz) return -1;
        if (ph[i].paddr < *lo) *lo = ph[i].paddr;
        if ((uint64_t)ph[i].paddr + ph[i].memsz > *hi) *hi = (uint64_t)ph[i].paddr + ph[i].memsz;
    }
    return *hi && *hi <= 0x100000000ull ? 0 : -1;
}

/* The load options (UTF-16) as ASCII, without the image name iPXE puts first. */
static void command_line(efi_handle image, char *out, size_t cap)
{
    struct efi_guid guid = EFI_LOADED_IMAGE_GUID;
    struct efi_loaded_image *li = NULL;
    out[0] = 0;
    if (st->boot_services->handle_protocol(image, &guid, (void **)&li) != EFI_SUCCESS || !li ||
        !li->load_options)
        return;
    const char16 *s = li->load_options;
    size_t n = li->load_options_size / 2, o = 0;
    for (size_t i = 0; i < n && s[i] && o + 1 < cap; i++)
        out[o++] = s[i] < 0x80 ? (char)s[i] : '?';
    out[o] = 0;
    size_t first = 0;                          /* "multiplicity.efi orch=..." -> "orch=..." */
    while (out[first] && out[first] != ' ' && out[first] != '=') first++;
    if (out[first] != '=') {
        while (out[first] == ' ') first++;
        copy(out, out + first, o - first + 1);
    }
}

/* UEFI memory types to Multiboot's: what the kernel may use once boot services are gone
 * is conventional and boot-services memory; everything else (our own image and data,
 * runtime services, ACPI, MMIO) stays reserved. */
static uint32_t multiboot_type(uint32_t efi_type)
{
    return efi_type == EFI_CONVENTIONAL || efi_type == EFI_BS_CODE || efi_type == EFI_BS_DATA ? 1 : 2;
}

efi_status efi_main(efi_handle image, struct efi_system_table *system)
{
    st = system;
    struct efi_boot_services *bs = st->boot_services;
    say("Multiplicity EFI stub: starting the node kernel\n");
    const struct elf32_header *h = (const void *)kernel_blob;
    size_t size = (size_t)(kernel_blob_end - kernel_blob);
    uint64_t lo, hi;
    if (kernel_extent(h, size, &lo, &hi)) { say("Multiplicity EFI stub: the kernel image is malformed\n"); return EFI_LOAD_ERROR; }
    uint64_t base = lo & ~0xFFFull, pages = (hi - base + 4095) / 4096;
    if (bs->allocate_pages(EFI_ALLOCATE_ADDRESS, EFI_LOADER_DATA, pages, &base) != EFI_SUCCESS) {
        say("Multiplicity EFI stub: the kernel's memory range is not free\n");
        return EFI_LOAD_ERROR;
    }
    /* one page below 4 GiB for the information block, command line and memory map */
    uint64_t info_page = 0xFFFFFFFFull;
    if (bs->allocate_pages(EFI_ALLOCATE_MAX_ADDRESS, EFI_LOADER_DATA, 4, &info_page) != EFI_SUCCESS) {
        say("Multiplicity EFI stub: no memory below 4 GiB\n");
        return EFI_LOAD_ERROR;
    }
    if ((uint64_t)(uintptr_t)enter_multiboot > 0xFFFFF000ull) {
        say("Multiplicity EFI stub: loaded above 4 GiB, cannot enter 32-bit mode\n");
        return EFI_LOAD_ERROR;
    }
    uint8_t *page = (uint8_t *)(uintptr_t)info_page;
    zero(page, 4 * 4096);
    struct multiboot_info *mbi = (void *)page;
    char *cmdline = (char *)page + 256;
    command_line(image, cmdline, 2048);
    struct multiboot_mmap_entry *mm = (void *)(page + 2304);
    size_t mm_cap = (4 * 4096 - 2304) / sizeof *mm;

    static uint8_t map[64 * 1024];
    uint64_t map_size, key, desc_size;
    uint32_t desc_version;
    efi_status s = EFI_LOAD_ERROR;
    for (int tries = 0; tries < 4 && s != EFI_SUCCESS; tries++) {
        map_size = sizeof map;
        if (bs->get_memory_map(&map_size, map, &key, &desc_size, &desc_version) != EFI_SUCCESS) break;
        s = bs->exit_boot_services(image, key);           /* a changed map: fetch it again */
    }
    if (s != EFI_SUCCESS) { say("Multiplicity EFI stub: cannot leave boot services\n"); return s; }
    /* no firmware services from here on */

    size_t n = 0;
    uint64_t upper_end = 0x100000;
    for (uint64_t off = 0; off + desc_size <= map_size && n < mm_cap; off += desc_size) {
        const struct efi_memory_descriptor *d = (const void *)(map + off);
        uint32_t t = multiboot_type(d->type);
        uint64_t start = d->physical_start, len = d->pages * 4096;
        if (n && mm[n - 1].type == t && mm[n - 1].addr + mm[n - 1].len == start) mm[n - 1].len += len;
        else mm[n++] = (struct multiboot_mmap_entry){ 20, start, len, t };
        if (t == 1 && start <= upper_end && start + len > upper_end) upper_end = start + len;
    }
    mbi->flags = MB_INFO_MEMORY | MB_INFO_CMDLINE | MB_INFO_MMAP;
    mbi->mem_lower = 640;
    mbi->mem_upper = (uint32_t)((upper_end - 0x100000) / 1024);
    mbi->cmdline = (uint32_t)(uintptr_t)cmdline;
    mbi->mmap_addr = (uint32_t)(uintptr_t)mm;
    mbi->mmap_length = (uint32_t)(n * sizeof *mm);

    const struct elf32_phdr *ph = (const void *)(kernel_blob + h->phoff);
    for (unsigned i = 0; i < h->phnum; i++) {
        if (ph[i].type != 1 || !ph[i].memsz) continue;
        uint8_t *dst = (uint8_t *)(uintptr_t)ph[i].paddr;
        copy(dst, kernel_blob + ph[i].offset, ph[i].filesz);
        zero(dst + ph[i].filesz, ph[i].memsz - ph[i].filesz);
    }
    enter_multiboot(h->entry, (uint32_t)(uintptr_t)mbi);
    return EFI_LOAD_ERROR;
}
