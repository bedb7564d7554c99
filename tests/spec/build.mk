# tests/spec: the WebAssembly core spec-suite runner (build/bin/spec-runner) and its CUnit
# program (build/bin/test-spec-suite), both driving the engine through sips/engine/engine.h.
SPEC_SRCS     := $(addprefix tests/spec/,spec_values.c spectest_host.c spec_file.c \
                   spec_convert.c spec_suite.c spec_report.c)
SPEC_OBJS     := $(SPEC_SRCS:%.c=$(BUILD)/obj/%.o)
SPEC_RUNNER   := $(BUILD)/bin/spec-runner
SPEC_TEST     := $(BUILD)/bin/test-spec-suite

$(SPEC_RUNNER): $(BUILD)/obj/tests/spec/spec_runner.o $(SPEC_OBJS) $(ENGINE_HOSTED)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ -ljansson

$(SPEC_TEST): $(BUILD)/obj/tests/spec/test_spec_suite.o $(BUILD)/obj/tests/spec/test_spec_selfcheck.o $(SPEC_OBJS) $(ENGINE_HOSTED)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ -lcunit -ljansson

BINS  += $(SPEC_RUNNER)
TESTS += $(SPEC_TEST)
