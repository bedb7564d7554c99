# netchan/zmtp: our ZMTP 3.1 as a freestanding static library (libzmtp.a, only rt.h
# needed: the metal kernel links it over lwIP) plus the POSIX socket driver object for
# Linux programs. Hosted users link: $(ZMTP_POSIX_OBJ) $(ZMTP_LIB) + an rt_malloc provider.
ZMTP_SRCS      := netchan/zmtp/zmtp_conn.c netchan/zmtp/zmtp_commands.c \
                  netchan/zmtp/zmtp_wire.c netchan/zmtp/zmtp_names.c
ZMTP_OBJS      := $(ZMTP_SRCS:%.c=$(BUILD)/obj/%.o)
ZMTP_LIB       := $(BUILD)/lib/libzmtp.a
ZMTP_POSIX_OBJ := $(BUILD)/obj/netchan/zmtp/zmtp_posix.o

# Built without the C library's headers, so any libc dependency fails the build here
# rather than in the metal kernel.
$(ZMTP_OBJS): CFLAGS += -ffreestanding -nostdinc -isystem $(shell $(CC) -print-file-name=include)

$(ZMTP_LIB): $(ZMTP_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

BINS += $(ZMTP_LIB) $(ZMTP_POSIX_OBJ)
