#!/usr/bin/env bash
# Building lbd needs neither clang nor bpftool: only the objects that include
# a BPF skeleton (vrrpd's guard and accept-off filter, their unit tests) wait
# for it.  And the BPF programs are built for the build machine's
# architecture (-D__TARGET_ARCH_<kernel name>, from uname -m), not for x86
# whatever the machine.
# run.sh timeout: 300
. "$(dirname "$0")/lib.sh"
net_require make gcc grep
cd "$REPO" || exit 1

# clang and bpftool that fail loudly if anything calls them.
mkdir -p "$T/shim"
for tool in clang bpftool; do
	printf '#!/bin/sh\necho "%s called: $*" >>"%s/called.log"\nexit 1\n' "$tool" "$T" >"$T/shim/$tool"
	chmod +x "$T/shim/$tool"
done

B="$T/b" # a build folder of its own: nothing built before helps
t_log "building lbd and lbctl into $B with clang and bpftool unavailable"
PATH="$T/shim:$PATH" timeout 240 make -j2 --no-print-directory B="$B" OPT=-O0 LBD_BPF=no "$B/lbd" "$B/lbctl" >"$T/make.log" 2>&1
st=$?
[ "$st" = 0 ] || tail -n 20 "$T/make.log"
t_assert "lbd builds without clang and bpftool (LBD_BPF=no)" [ "$st" = 0 ]
t_assert "lbd runs: it checks a configuration" "$B/lbd" -t -f configs/node1/lbd.conf
t_assert "no BPF tool was called for lbd" [ ! -s "$T/called.log" ]

# vrrpd still generates its skeletons first (a dry run over an empty folder).
make -n --no-print-directory B="$T/l" LBD_BPF=yes "$T/l/lbd" >"$T/lplan.log" 2>&1
skel=$(grep -n 'bpftool gen skeleton .*lbd_reuseport' "$T/lplan.log" | head -n1 | cut -d: -f1)
rp=$(grep -n -- '-c lbd/reuseport\.c' "$T/lplan.log" | head -n1 | cut -d: -f1)
t_assert "with LBD_BPF=yes lbd's plan generates the reuseport skeleton before compiling reuseport.c" \
	[ -n "$skel" ] && [ -n "$rp" ] && [ "$skel" -lt "$rp" ]
stub=$(grep -c -- '-c lbd/reuseport_off\.c' "$T/lplan.log")
t_assert "with LBD_BPF=yes the BPF-less stub is not built" [ "$stub" = 0 ]

make -n --no-print-directory B="$T/v" "$T/v/vrrpd" >"$T/plan.log" 2>&1
skel=$(grep -n 'bpftool gen skeleton .*vrrp_guard' "$T/plan.log" | head -n1 | cut -d: -f1)
guard=$(grep -n -- '-c vrrpd/guard\.c' "$T/plan.log" | head -n1 | cut -d: -f1)
t_assert "vrrpd's plan generates the guard's skeleton before compiling guard.c" \
	[ -n "$skel" ] && [ -n "$guard" ] && [ "$skel" -lt "$guard" ]

# The architecture: this machine's, and another one's when uname says so.
arch_of() { # uname-m -> the -D__TARGET_ARCH_ value make passes clang
	make -n -B --no-print-directory B="$T/a" UNAME_M="$1" "$T/a/bpf/vrrp_guard.bpf.o" 2>/dev/null |
		grep -o -- '-D__TARGET_ARCH_[a-z0-9_]*' | head -n1 | sed 's/-D__TARGET_ARCH_//'
}
case $(uname -m) in
x86_64 | i?86) want=x86 ;; aarch64) want=arm64 ;; arm*) want=arm ;; ppc*) want=powerpc ;;
riscv*) want=riscv ;; s390x) want=s390 ;; *) want=$(uname -m) ;;
esac
t_assert "BPF programs are built for this machine ($(uname -m) -> $want)" [ "$(arch_of "$(uname -m)")" = "$want" ]
t_assert "on an arm64 machine they would be built for arm64" [ "$(arch_of aarch64)" = arm64 ]
t_assert "on an x86_64 machine for x86" [ "$(arch_of x86_64)" = x86 ]
exit 0
