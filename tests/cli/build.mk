# tests/cli: what a user sees from the command-line tools without a cluster: --help,
# usage errors, unreachable orchd, bad modules, contractc's output directory.
CLI_TEST := $(BUILD)/tests/cli/test_cli

$(CLI_TEST): $(BUILD)/obj/tests/cli/test_cli.o | $(SIPCTL) $(SIPRUN) $(SIPNODE) $(ORCHD) $(CONTRACTC)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ -lcunit

TESTS += $(CLI_TEST)
