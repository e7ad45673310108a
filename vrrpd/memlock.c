/* memlock: see memlock.h. */
#include "memlock.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>

#define MEMLOCK_LIMIT (64u << 20)

void memlock_prepare(void)
{
	struct rlimit rl;
	/* Raising the hard limit needs CAP_SYS_RESOURCE: else up to it. */
	if (getrlimit(RLIMIT_MEMLOCK, &rl) == 0 && rl.rlim_cur < MEMLOCK_LIMIT) {
		struct rlimit want = { MEMLOCK_LIMIT, MEMLOCK_LIMIT };
		if (setrlimit(RLIMIT_MEMLOCK, &want) < 0) {
			rl.rlim_cur = rl.rlim_max;
			setrlimit(RLIMIT_MEMLOCK, &rl);
		}
	}
}

/* A mapping whose resident pages can all be read back from their file as
 * they are: file-backed, private, not writable, and no page of it copied
 * on write (a RELRO segment, written by the dynamic linker then made
 * read-only, has such copies: dropping them would undo its relocations). */
struct mapping {
	unsigned long start, end;
	int droppable;
};

static void drop(const struct mapping *m)
{
	if (m->droppable && m->end > m->start)
		madvise((void *)m->start, m->end - m->start, MADV_DONTNEED);
}

/* Walks /proc/self/smaps: a mapping's header line, then its "Key: value"
 * lines, of which "Anonymous:" tells whether pages were copied. */
static int drop_startup_pages(char *err, size_t errlen)
{
	FILE *f = fopen("/proc/self/smaps", "re");
	if (!f) {
		int rc = -errno;
		snprintf(err, errlen, "/proc/self/smaps: %s", strerror(errno));
		return rc;
	}
	char line[512];
	struct mapping m = { 0, 0, 0 };
	while (fgets(line, sizeof(line), f)) {
		unsigned long start, end, anon;
		char perms[5], path[2];
		int n = sscanf(line, "%lx-%lx %4s %*s %*s %*s %1s", &start, &end, perms, path);
		if (n >= 3) {
			drop(&m); /* the previous mapping, now that all its lines are read */
			m.start = start;
			m.end = end;
			m.droppable = n == 4 && path[0] == '/' && perms[1] == '-' && perms[3] == 'p';
		} else if (sscanf(line, "Anonymous: %lu kB", &anon) == 1 && anon > 0) {
			m.droppable = 0;
		}
	}
	drop(&m);
	fclose(f);
	return 0;
}

int memlock_lock(char *err, size_t errlen)
{
	int rc = drop_startup_pages(err, errlen);
	if (rc)
		return rc;
	if (mlockall(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT) < 0) {
		rc = -errno;
		snprintf(err, errlen, "mlockall: %s", strerror(errno));
		return rc;
	}
	return 0;
}
