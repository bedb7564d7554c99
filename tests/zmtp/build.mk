# tests/zmtp: CUnit tests for netchan/zmtp (sans-I/O connection, libzmq interop over
# loopback, a bounded libFuzzer run of zmtp_feed) and for the netchan .proto messages.
ZMTP_TEST_DIR := $(BUILD)/tests/zmtp
ZMTP_TEST_RT  := $(BUILD)/obj/sips/engine/rt_hosted.o

$(ZMTP_TEST_DIR)/zmtp_conn_test: $(BUILD)/obj/tests/zmtp/zmtp_conn_test.o $(ZMTP_LIB) $(ZMTP_TEST_RT)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ -lcunit

TESTS += $(ZMTP_TEST_DIR)/zmtp_conn_test

$(ZMTP_TEST_DIR)/zmtp_interop_test: $(BUILD)/obj/tests/zmtp/zmtp_interop_test.o $(ZMTP_POSIX_OBJ) $(ZMTP_LIB) $(ZMTP_TEST_RT)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ -lcunit -lzmq

TESTS += $(ZMTP_TEST_DIR)/zmtp_interop_test

# The libFuzzer target is built with clang straight from the sources, with ASan/UBSan.
ZMTP_FUZZ := $(ZMTP_TEST_DIR)/zmtp_fuzz
$(ZMTP_FUZZ): tests/zmtp/zmtp_fuzz.c $(ZMTP_SRCS) sips/engine/rt_hosted.c $(wildcard netchan/zmtp/*.h)
	@mkdir -p $(dir $@)
	$(CLANG) -std=gnu11 -g -O1 -I. -fsanitize=fuzzer,address,undefined \
	    -fno-sanitize-recover=undefined -o $@ tests/zmtp/zmtp_fuzz.c $(ZMTP_SRCS) sips/engine/rt_hosted.c

$(ZMTP_TEST_DIR)/zmtp_fuzz_test: $(BUILD)/obj/tests/zmtp/zmtp_fuzz_test.o $(ZMTP_FUZZ)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $< -lcunit

TESTS += $(ZMTP_TEST_DIR)/zmtp_fuzz_test

$(BUILD)/obj/tests/zmtp/netchan_proto_test.o: | $(NETCHAN_PROTO_HDRS)
$(ZMTP_TEST_DIR)/netchan_proto_test: $(BUILD)/obj/tests/zmtp/netchan_proto_test.o $(NETCHAN_PROTO_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ -lcunit -lprotobuf-c

TESTS += $(ZMTP_TEST_DIR)/netchan_proto_test

# Throughput against libzmq (baseline: libzmq to libzmq in the same run); `make bench`.
ZMTP_BENCH := $(ZMTP_TEST_DIR)/zmtp_bench
$(ZMTP_BENCH): $(BUILD)/obj/tests/zmtp/zmtp_bench.o $(ZMTP_POSIX_OBJ) $(ZMTP_LIB) $(ZMTP_TEST_RT)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ -lzmq

BENCHES += $(ZMTP_BENCH)
