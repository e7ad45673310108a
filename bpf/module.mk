# eBPF programs: bpf/X.bpf.c -> $(B)/bpf/X.bpf.o (clang -target bpf) ->
# $(B)/bpf/X.skel.h (bpftool gen skeleton).  Daemons include "bpf/X.skel.h";
# skeletons are generated, never committed.
BPF_SRCS := $(wildcard bpf/*.bpf.c)
BPF_OBJS := $(BPF_SRCS:%.bpf.c=$(B)/%.bpf.o)
BPF_SKELS := $(BPF_SRCS:%.bpf.c=$(B)/%.skel.h)
BPF_CFLAGS := -O2 -g -Wall -Werror -target bpf -D__TARGET_ARCH_x86 \
	-I/usr/include/$(shell uname -m)-linux-gnu -Ibpf

$(B)/bpf/%.bpf.o: bpf/%.bpf.c $(wildcard bpf/*.h)
	@mkdir -p $(@D)
	clang $(BPF_CFLAGS) -c $< -o $@

$(B)/bpf/%.skel.h: $(B)/bpf/%.bpf.o
	bpftool gen skeleton $< name $(subst .,_,$(basename $(basename $(notdir $<)))) > $@.tmp && mv $@.tmp $@

# Keep the objects: make would otherwise delete them as intermediates of the skeletons.
.SECONDARY: $(BPF_OBJS)
