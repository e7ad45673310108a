# lbd: everything in lbd/ but the two mains goes into liblbd.a, which the
# unit tests link too.
# LBD_BPF=yes (the default where clang and bpftool are found) builds the
# SK_REUSEPORT steering of upgrades (reuseport.c, with its skeleton);
# LBD_BPF=no builds reuseport_off.c instead, so lbd builds without either tool
# and its upgrades take the SCM_RIGHTS path.
LBD_BPF ?= $(if $(and $(shell command -v clang),$(shell command -v bpftool)),yes,no)
LBD_REUSEPORT_OUT := $(if $(filter yes,$(LBD_BPF)),lbd/reuseport_off.c,lbd/reuseport.c)
LBD_LIB_SRCS := $(filter-out lbd/main.c lbd/lbctl.c $(LBD_REUSEPORT_OUT),$(wildcard lbd/*.c))
$(B)/liblbd.a: $(LBD_LIB_SRCS:%.c=$(B)/obj/%.o)
	@mkdir -p $(@D)
	$(AR) rcs $@ $^

$(B)/lbd: $(B)/obj/lbd/main.o $(B)/liblbd.a $(B)/libcommon.a
	$(CC) $(LDFLAGS) $^ -o $@ $(LDLIBS)

$(B)/lbctl: $(B)/obj/lbd/lbctl.o $(B)/libcommon.a
	$(CC) $(LDFLAGS) $^ -o $@ $(LDLIBS)

BINS += $(B)/lbd $(B)/lbctl
LIBS += $(B)/liblbd.a
