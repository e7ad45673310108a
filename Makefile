# ha-appliance: vrrpd + lbd.  See README.md.
#
#   make            build daemons and tools into build/ (gcc)
#   make CC=clang   same with clang, into build/clang/
#   make SAN=1      ASan+UBSan build, into build/san-<cc>/
#   make TSAN=1     ThreadSanitizer build (clang), into build/tsan-clang/
#   make fuzz       libFuzzer targets (clang), into build/fuzz/
#   make deps       install every Debian package the build, tests and benches need
#   make check      everything CI runs; ends with "N passed, N failed"
#
# Each module folder has a module.mk that adds its programs; sources are found
# by wildcard, so adding a .c file needs no Makefile change.

ifeq ($(origin CC),default)
CC := gcc
endif
CCNAME := $(notdir $(firstword $(CC)))

ifneq ($(FUZZ),)
CC := clang
CCNAME := clang
B := build/fuzz
else ifneq ($(TSAN),)
CC := clang
CCNAME := clang
B := build/tsan-clang
else ifneq ($(SAN),)
B := build/san-$(CCNAME)
else ifeq ($(CCNAME),gcc)
B := build
else
B := build/$(CCNAME)
endif

VERSION := $(shell cat VERSION 2>/dev/null || echo 0.0.0)
# pkg-config and the libraries' -dev packages come with "make deps", and these
# flags are read when make starts: so the targets that install packages (demo,
# check) build in a second make, started once deps is through, and a build
# without them stops at its first object instead of linking without -lmnl.
PKG_LIBS := libmnl openssl libbpf libxcrypt
PKG_CFLAGS := $(shell pkg-config --cflags $(PKG_LIBS) 2>/dev/null)
PKG_LDLIBS := $(shell pkg-config --libs $(PKG_LIBS) 2>/dev/null)
PKG_FOUND := $(shell pkg-config --exists $(PKG_LIBS) 2>/dev/null && echo yes)

WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes
OPT := -O2 -g
ifneq ($(SAN),)
OPT := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined
endif
ifneq ($(TSAN),)
OPT := -O1 -g -fno-omit-frame-pointer -fsanitize=thread
endif
ifneq ($(FUZZ),)
OPT := -O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined -DFUZZING
endif
# -fno-strict-aliasing, as the Linux kernel and PostgreSQL build: our own
# code reads and writes packets byte by byte (vrrpd/packet.c, bfd_packet.c,
# tests/unit/pktbuild.c) and its type-punning bugs were fixed, but the
# libraries' idioms that our translation units expand are punning too (libev's
# ev_watcher casts in ev_io_init, libmnl's nlmsghdr in char buffers,
# struct sockaddr over sockaddr_storage, bpftool's skeletons).  gcc -O2 did
# drop stores once (tests/unit/pktbuild.h); the binaries' text differs by
# less than 0.1% with or without it.  To list punning casts again: make
# B=build/wsa EXTRA_CFLAGS='-fstrict-aliasing -Wstrict-aliasing=1 -Wno-error'
CFLAGS := $(OPT) $(WARN) -std=gnu11 -fno-strict-aliasing -D_GNU_SOURCE -DVERSION='"$(VERSION)"' \
	-I. -Icommon -I$(B) $(PKG_CFLAGS) $(EXTRA_CFLAGS)
LDFLAGS := $(OPT) -Wl,--as-needed -Wl,-z,relro,-z,now $(EXTRA_LDFLAGS)
LDLIBS := $(PKG_LDLIBS) -lev -lpthread -lm

BINS :=
TEST_BINS :=
LIBS :=

all: bins

COMMON_SRCS := $(wildcard common/*.c)
COMMON_OBJS := $(COMMON_SRCS:%.c=$(B)/obj/%.o)
$(B)/libcommon.a: $(COMMON_OBJS)
	@mkdir -p $(@D)
	$(AR) rcs $@ $^

include bpf/module.mk
include packaging/module.mk
include vrrpd/module.mk
include lbd/module.mk
include tests/module.mk

bins: $(BINS)

$(B)/obj/%.o: %.c | pkg-config-found
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

-include $(shell find $(B) -name '*.d' -type f 2>/dev/null)

ifeq ($(PKG_FOUND),yes)
pkg-config-found: ;
else
pkg-config-found:
	@echo "make: pkg-config does not find $(PKG_LIBS): install the packages first (make deps, as root)" >&2; exit 1
endif

# ---- packages ---------------------------------------------------------------
# packaging/deps.sh: silent when every package of packaging/deps.txt is
# installed; otherwise it says what it installs and how much it downloads.
deps:
	@packaging/deps.sh

# ---- checks -----------------------------------------------------------------
CPPCHECK_FLAGS := --enable=warning,performance,portability --error-exitcode=1 --quiet \
	--inline-suppr --std=c11 -D__GNUC__ -I common --suppress=missingIncludeSystem

cppcheck:
	cppcheck $(CPPCHECK_FLAGS) common vrrpd lbd tests/unit tests/fuzz

# tests/run.sh builds in make processes of its own, started after deps.
check: deps
	tests/run.sh

clean:
	rm -rf build

.PHONY: all bins deps check cppcheck clean fuzz unit-bins pkg-config-found
