# lbd: everything in lbd/ but the two mains goes into liblbd.a, which the
# unit tests link too.
LBD_LIB_SRCS := $(filter-out lbd/main.c lbd/lbctl.c,$(wildcard lbd/*.c))
$(B)/liblbd.a: $(LBD_LIB_SRCS:%.c=$(B)/obj/%.o)
	@mkdir -p $(@D)
	$(AR) rcs $@ $^

$(B)/lbd: $(B)/obj/lbd/main.o $(B)/liblbd.a $(B)/libcommon.a
	$(CC) $(LDFLAGS) $^ -o $@ $(LDLIBS)

$(B)/lbctl: $(B)/obj/lbd/lbctl.o $(B)/libcommon.a
	$(CC) $(LDFLAGS) $^ -o $@ $(LDLIBS)

BINS += $(B)/lbd $(B)/lbctl
LIBS += $(B)/liblbd.a

# lbd/reuseport.c includes the SK_REUSEPORT skeleton (bpf/lbd_reuseport.bpf.c).
$(B)/obj/lbd/reuseport.o: $(B)/bpf/lbd_reuseport.skel.h
