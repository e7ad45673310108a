# Unit tests (cmocka) and fuzz targets (libFuzzer).  Each tests/unit/test_X.c is one
# program linked against every daemon library; each tests/fuzz/fuzz_X.c one target.
# The other tests/unit/*.c are helpers several tests share (conftest.c): they go
# into libunithelp.a, linked before the daemon libraries.
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(B)/tests/%)
UNIT_HELP_SRCS := $(filter-out $(UNIT_SRCS),$(wildcard tests/unit/*.c))
TEST_LIBS := $(LIBS) $(B)/libcommon.a

$(B)/libunithelp.a: $(UNIT_HELP_SRCS:%.c=$(B)/obj/%.o)
	@mkdir -p $(@D)
	$(AR) rcs $@ $^

$(B)/tests/%: $(B)/obj/tests/unit/%.o $(B)/libunithelp.a $(TEST_LIBS)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) $< $(B)/libunithelp.a $(TEST_LIBS) -o $@ $(LDLIBS) -lcmocka

unit-bins: $(UNIT_BINS)

FUZZ_SRCS := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BINS := $(FUZZ_SRCS:tests/fuzz/%.c=$(B)/fuzzers/%)

$(B)/fuzzers/%: $(B)/obj/tests/fuzz/%.o $(TEST_LIBS)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -fsanitize=fuzzer $< $(TEST_LIBS) -o $@ $(LDLIBS)

fuzz-bins: $(FUZZ_BINS)

fuzz:
	$(MAKE) --no-print-directory FUZZ=1 fuzz-bins

.PHONY: fuzz-bins

# The fault-injection library (tests/faultinj/faultinj.c) is LD_PRELOADed into
# daemons under test, sanitized or not, so it is built without sanitizers.
FAULTINJ_SO := $(B)/tests/faultinj.so
$(FAULTINJ_SO): tests/faultinj/faultinj.c
	@mkdir -p $(@D)
	$(CC) -O2 -g $(WARN) -std=gnu11 -D_GNU_SOURCE -fPIC -shared $< -o $@ -ldl

unit-bins: $(FAULTINJ_SO)
