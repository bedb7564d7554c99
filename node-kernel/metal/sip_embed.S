/* sip_embed.S: the WebAssembly modules built into the kernel image (the build passes
 * each module's path), with start and end symbols for sip_runner.c. */
    .section .rodata
    .balign 16
    .globl sip_hello_wasm, sip_hello_wasm_end
sip_hello_wasm:
    .incbin SIP_HELLO_WASM
sip_hello_wasm_end:

    .section .note.GNU-stack,"",@progbits
