# eBPF programs: bpf/X.bpf.c -> $(B)/bpf/X.bpf.o (clang -target bpf) ->
# $(B)/bpf/X.skel.h (bpftool gen skeleton).  Daemons include "bpf/X.skel.h";
# skeletons are generated, never committed.
#
# Only the objects whose source includes a skeleton wait for it (found below
# by grep), so building lbd, or any object that does not load a BPF program,
# needs neither clang nor bpftool.
BPF_SRCS := $(wildcard bpf/*.bpf.c)
BPF_OBJS := $(BPF_SRCS:%.bpf.c=$(B)/%.bpf.o)
BPF_SKELS := $(BPF_SRCS:%.bpf.c=$(B)/%.skel.h)

# The kernel's name for the build machine's architecture (what bpf_tracing.h
# and vmlinux headers call it), from `uname -m`; BPF_ARCH=... overrides.
UNAME_M := $(shell uname -m)
BPF_ARCH ?= $(or $(patsubst x86_64,x86,$(filter x86_64,$(UNAME_M))),\
	$(patsubst i%86,x86,$(filter i%86,$(UNAME_M))),\
	$(patsubst aarch64,arm64,$(filter aarch64,$(UNAME_M))),\
	$(patsubst arm%,arm,$(filter arm%,$(UNAME_M))),\
	$(patsubst ppc%,powerpc,$(filter ppc%,$(UNAME_M))),\
	$(patsubst riscv%,riscv,$(filter riscv%,$(UNAME_M))),\
	$(patsubst loongarch%,loongarch,$(filter loongarch%,$(UNAME_M))),\
	$(patsubst mips%,mips,$(filter mips%,$(UNAME_M))),\
	$(patsubst s390x,s390,$(filter s390x,$(UNAME_M))),\
	$(UNAME_M))
# Where the libc headers of this machine live (asm/ for the BPF programs).
MULTIARCH := $(or $(shell gcc -print-multiarch 2>/dev/null),$(UNAME_M)-linux-gnu)
BPF_CFLAGS := -O2 -g -Wall -Werror -target bpf -D__TARGET_ARCH_$(BPF_ARCH) \
	-I/usr/include/$(MULTIARCH) -Ibpf

$(B)/bpf/%.bpf.o: bpf/%.bpf.c $(wildcard bpf/*.h)
	@mkdir -p $(@D)
	clang $(BPF_CFLAGS) -c $< -o $@

$(B)/bpf/%.skel.h: $(B)/bpf/%.bpf.o
	bpftool gen skeleton $< name $(subst .,_,$(basename $(basename $(notdir $<)))) > $@.tmp && mv $@.tmp $@

# Keep the objects: make would otherwise delete them as intermediates of the skeletons.
.SECONDARY: $(BPF_OBJS)

# Each C file that includes "bpf/X.skel.h" makes its object wait for that
# skeleton (and be rebuilt when the BPF program changes).
BPF_INCLUDERS := $(shell grep -rlE --include='*.c' '^\#include "bpf/[a-z0-9_]+\.skel\.h"' common vrrpd lbd tests 2>/dev/null)
$(foreach f,$(BPF_INCLUDERS),$(eval $(B)/obj/$(f:.c=.o): $(addprefix $(B)/,$(shell grep -oE 'bpf/[a-z0-9_]+\.skel\.h' $(f)))))
