# orchestrator: the control plane. liborch.a holds the pieces the daemon, the CLI and the
# tests share (manifest parser, SHA-256 helpers over the engine's digest, state store,
# placement); whatever links it links $(ENGINE_HOSTED) too; orchd is the daemon,
# sipctl the command-line client.
ORCH_LIB      := $(BUILD)/lib/liborch.a
ORCH_LIB_SRCS := orchestrator/manifest.c orchestrator/sha256.c orchestrator/store.c orchestrator/placement.c
ORCH_LIB_OBJS := $(ORCH_LIB_SRCS:%.c=$(BUILD)/obj/%.o)

$(ORCH_LIB): $(ORCH_LIB_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

BINS += $(ORCH_LIB)

ORCHD      := $(BUILD)/bin/orchd
ORCHD_OBJS := $(addprefix $(BUILD)/obj/orchestrator/,orchd.o node_link.o reconcile.o apply.o http_api.o status_page.o migrate.o)
$(ORCHD_OBJS): | $(NETCHAN_PROTO_HDRS)

$(ORCHD): $(ORCHD_OBJS) $(ORCH_LIB) $(NETCHAN_PROTO_LIB) $(CONTRACTS_LIB) $(ENGINE_HOSTED)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ -lzmq -lprotobuf-c -lmicrohttpd -lsqlite3 -ljansson -lyaml -lpthread

BINS += $(ORCHD)

SIPCTL := $(BUILD)/bin/sipctl
$(SIPCTL): $(BUILD)/obj/orchestrator/sipctl.o
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ -lcurl -ljansson

BINS += $(SIPCTL)
