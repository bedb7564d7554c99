# sips/engine: the WebAssembly engine as a static library (freestanding: see rt.h).
# Every .c here goes into libengine.a except rt_hosted.c, the libc-backed allocator that
# hosted programs link beside it (the metal kernel supplies its own).
ENGINE_SRCS   := $(filter-out sips/engine/rt_hosted.c,$(wildcard sips/engine/*.c))
ENGINE_OBJS   := $(ENGINE_SRCS:%.c=$(BUILD)/obj/%.o)
ENGINE_LIB    := $(BUILD)/lib/libengine.a
ENGINE_HOSTED := $(ENGINE_LIB) $(BUILD)/obj/sips/engine/rt_hosted.o
ENGINE_CFLAGS := -ffreestanding -O3 -fno-plt -fno-math-errno -ffp-contract=off

$(ENGINE_OBJS): CFLAGS += $(ENGINE_CFLAGS)

$(ENGINE_LIB): $(ENGINE_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

BINS += $(ENGINE_HOSTED)
