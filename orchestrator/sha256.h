/* SHA-256 (FIPS 180-4) for content-addressing modules: a one-shot digest and its hex. */
#ifndef ORCHESTRATOR_SHA256_H
#define ORCHESTRATOR_SHA256_H

#include <stddef.h>
#include <stdint.h>

void sha256(const void *data, size_t len, uint8_t out[32]);
/* 64 lowercase hex digits and a NUL into hex[65]. */
void sha256_hex(const uint8_t digest[32], char hex[65]);
/* Parse 64 hex digits; 0 or -1. */
int  sha256_parse(const char *hex, uint8_t out[32]);

#endif
