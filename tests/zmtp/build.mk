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
