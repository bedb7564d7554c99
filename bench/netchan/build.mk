# bench/netchan: SIP-to-SIP round trip and throughput over two sipnodes on 127.0.0.1,
# beside libzmq REQ/REP and PUSH/PULL in the same run (`make bench`). This fragment is
# read before netchan's and the node kernel's, so their outputs are named by path.
NCB_DIR  := $(BUILD)/bench/netchan
NCB_SIPS := $(addprefix $(BUILD)/sips/bench/netchan/sips/,rt_client.wasm stream_src.wasm stream_sink.wasm)

$(NCB_SIPS): $(BUILD)/gen/contracts/.stamp

$(NCB_DIR)/netchan_bench: $(BUILD)/obj/bench/netchan/netchan_bench.o | $(NCB_SIPS) $(BUILD)/bin/sipnode \
                          $(BUILD)/sips/echo_server.wasm
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $(filter %.o,$^) -lzmq

BENCHES += $(NCB_DIR)/netchan_bench
