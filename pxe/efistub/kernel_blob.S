/* kernel_blob.S: the Multiboot node kernel image, carried inside the EFI stub.
 * KERNEL_IMAGE is the path of build/bin/multiplicity-metal.elf (see build.mk). */
    .section .rdata, "dr"
    .p2align 12
    .globl kernel_blob, kernel_blob_end
kernel_blob:
    .incbin KERNEL_IMAGE
kernel_blob_end:
