/* tests/net/wall_shift.c: an LD_PRELOAD shim for test_vrrp_ago_ms.sh that
 * moves CLOCK_REALTIME (only) by the number of seconds written in the file
 * named by $WALL_SHIFT_FILE, read at every call, as an NTP step or `date -s`
 * would, without touching the machine's clock.  Test helper only. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static long shift_seconds(void)
{
	const char *path = getenv("WALL_SHIFT_FILE");
	char buf[32];
	ssize_t n;
	int fd;

	if (!path || (fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	return strtol(buf, NULL, 10);
}

int clock_gettime(clockid_t id, struct timespec *ts)
{
	int rc = (int)syscall(SYS_clock_gettime, id, ts);
	if (rc == 0 && id == CLOCK_REALTIME)
		ts->tv_sec += shift_seconds();
	return rc;
}
