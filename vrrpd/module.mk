# vrrpd: everything in vrrpd/ but the two mains goes into libvrrpd.a, which the
# unit tests link too.
VRRPD_LIB_SRCS := $(filter-out vrrpd/main.c vrrpd/vrrpctl.c,$(wildcard vrrpd/*.c))
$(B)/libvrrpd.a: $(VRRPD_LIB_SRCS:%.c=$(B)/obj/%.o)
	@mkdir -p $(@D)
	$(AR) rcs $@ $^

$(B)/vrrpd: $(B)/obj/vrrpd/main.o $(B)/libvrrpd.a $(B)/libcommon.a
	$(CC) $(LDFLAGS) $^ -o $@ $(LDLIBS)

$(B)/vrrpctl: $(B)/obj/vrrpd/vrrpctl.o $(B)/libcommon.a
	$(CC) $(LDFLAGS) $^ -o $@ $(LDLIBS)

BINS += $(B)/vrrpd $(B)/vrrpctl
LIBS += $(B)/libvrrpd.a
