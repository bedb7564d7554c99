/* Shared by contractc's generators: the three outputs it writes for each contract, and
 * helpers for naming argument kinds in C and in documentation. */
#ifndef CONTRACTS_CONTRACTC_EMIT_H
#define CONTRACTS_CONTRACTC_EMIT_H

#include <stdio.h>
#include "contracts/contract.h"

/* C header of typed stubs for SIP authors (wasm32 side): DIR/<Name>.h */
int emit_header(FILE *out, const contract *c);
/* Kernel table form: a C file defining `const contract contract_table_<Name>`: DIR/<Name>.table.c */
int emit_table(FILE *out, const contract *c);
/* Markdown documentation: DIR/<Name>.md */
int emit_doc(FILE *out, const contract *c);

/* "i8", "bytes", "imp<Echo>" ... as written in the contract language */
const char *kind_source_name(const contract_arg *a, char *buf, size_t n);
/* the C type of an argument in the stubs: "int8_t", "sip_block", "sip_ep" ... */
const char *kind_c_type(contract_kind k);
/* the enumerator spelling of a kind: "CONTRACT_I8" ... */
const char *kind_enum_name(contract_kind k);

#endif
