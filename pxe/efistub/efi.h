/* efi.h: the few UEFI types and services the EFI stub uses (UEFI specification 2.x,
 * x86_64, Microsoft calling convention -- the default of the PE/COFF target). */
#ifndef PXE_EFISTUB_EFI_H
#define PXE_EFISTUB_EFI_H
#include <stdint.h>
#include <stddef.h>

typedef uint64_t efi_status;
typedef void *efi_handle;
typedef uint16_t char16;
#define EFI_SUCCESS            0
#define EFI_BUFFER_TOO_SMALL   (0x8000000000000000ull | 5)
#define EFI_LOAD_ERROR         (0x8000000000000000ull | 1)

struct efi_guid { uint32_t a; uint16_t b, c; uint8_t d[8]; };
struct efi_table_header { uint64_t signature; uint32_t revision, header_size, crc32, reserved; };

struct efi_text_out {
    void *reset;
    efi_status (*output_string)(struct efi_text_out *self, const char16 *s);
};

enum { EFI_ALLOCATE_ANY = 0, EFI_ALLOCATE_MAX_ADDRESS = 1, EFI_ALLOCATE_ADDRESS = 2 };
enum { EFI_LOADER_CODE = 1, EFI_LOADER_DATA = 2, EFI_BS_CODE = 3, EFI_BS_DATA = 4,
       EFI_CONVENTIONAL = 7 };

struct efi_memory_descriptor {
    uint32_t type, pad;
    uint64_t physical_start, virtual_start, pages, attribute;
};

struct efi_boot_services {
    struct efi_table_header hdr;
    void *raise_tpl, *restore_tpl;
    efi_status (*allocate_pages)(int type, int memory_type, uint64_t pages, uint64_t *addr);
    void *free_pages;
    efi_status (*get_memory_map)(uint64_t *size, void *map, uint64_t *key, uint64_t *desc_size,
                                 uint32_t *desc_version);
    void *allocate_pool, *free_pool;
    void *create_event, *set_timer, *wait_for_event, *signal_event, *close_event, *check_event;
    void *install_protocol, *reinstall_protocol, *uninstall_protocol;
    efi_status (*handle_protocol)(efi_handle h, const struct efi_guid *guid, void **out);
    void *reserved, *register_protocol_notify, *locate_handle, *locate_device_path;
    void *install_configuration_table, *load_image, *start_image, *exit, *unload_image;
    efi_status (*exit_boot_services)(efi_handle image, uint64_t map_key);
};

struct efi_system_table {
    struct efi_table_header hdr;
    char16 *firmware_vendor;
    uint32_t firmware_revision;
    efi_handle console_in_handle;
    void *con_in;
    efi_handle console_out_handle;
    struct efi_text_out *con_out;
    efi_handle stderr_handle;
    struct efi_text_out *std_err;
    void *runtime_services;
    struct efi_boot_services *boot_services;
};

struct efi_loaded_image {
    uint32_t revision;
    efi_handle parent;
    struct efi_system_table *system_table;
    efi_handle device;
    void *file_path;
    void *reserved;
    uint32_t load_options_size;
    void *load_options;
    void *image_base;
    uint64_t image_size;
};

#define EFI_LOADED_IMAGE_GUID { 0x5B1B31A1, 0x9562, 0x11d2, { 0x8E, 0x3F, 0x00, 0xA0, 0xC9, 0x69, 0x72, 0x3B } }
#endif
