# tests/enginediff: differential test of the engine against native code. Small C programs
# (tests/enginediff/progs: string functions, memcpy/memmove/memset on odd offsets, qsort,
# printf, bit tricks and shifted-index loops) are built twice at build time: to wasm with the
# SIP SDK and natively with gcc. test_enginediff runs both (the wasm one under siprun) and
# requires byte-identical stdout, which catches compiler fusions that the spec suite misses.
ENGINEDIFF_PROGS  := $(basename $(notdir $(wildcard tests/enginediff/progs/*.c)))
ENGINEDIFF_WASM   := $(ENGINEDIFF_PROGS:%=$(BUILD)/sips/tests/enginediff/progs/%.wasm)
ENGINEDIFF_NATIVE := $(ENGINEDIFF_PROGS:%=$(BUILD)/tests/enginediff/native/%)
TEST_ENGINEDIFF   := $(BUILD)/tests/enginediff/test_enginediff

$(BUILD)/tests/enginediff/native/%: tests/enginediff/progs/%.c
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 -O2 -Wall -Wextra -o $@ $<

$(TEST_ENGINEDIFF): $(BUILD)/obj/tests/enginediff/test_enginediff.o \
                    | $(ENGINEDIFF_WASM) $(ENGINEDIFF_NATIVE) $(SIPRUN)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $(filter %.o,$^) -lcunit

TESTS += $(TEST_ENGINEDIFF)
