#include "handoff.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int handoff_paths(const char *control, char *intent, char *state, size_t len)
{
	size_t n = strlen(control);
	if (n >= 5 && strcmp(control + n - 5, ".sock") == 0)
		n -= 5;
	int a = snprintf(intent, len, "%.*s.restart", (int)n, control);
	int b = snprintf(state, len, "%.*s.handoff", (int)n, control);
	if (a < 0 || b < 0 || (size_t)a >= len || (size_t)b >= len)
		return -ENAMETOOLONG;
	return 0;
}

int handoff_intent_take(const char *intent)
{
	struct stat st;
	struct timespec now;
	if (stat(intent, &st) < 0)
		return 0;
	unlink(intent);
	/* Only root may ask: anyone else could have the VIPs left behind. */
	if (!S_ISREG(st.st_mode) || st.st_uid != 0)
		return 0;
	clock_gettime(CLOCK_REALTIME, &now);
	int64_t age_ms = ((int64_t)now.tv_sec - (int64_t)st.st_mtim.tv_sec) * 1000 +
			 ((int64_t)now.tv_nsec - (int64_t)st.st_mtim.tv_nsec) / 1000000;
	/* a little in the future: file systems with coarse timestamps */
	return age_ms >= -2000 && age_ms <= HANDOFF_INTENT_MAX_MS;
}

int handoff_add(struct handoff *h, const char *ifname, int family, unsigned vrid)
{
	if (h->n >= HANDOFF_MAX)
		return -ENOSPC;
	struct handoff_router *r = &h->masters[h->n++];
	snprintf(r->ifname, sizeof(r->ifname), "%s", ifname);
	r->family = family;
	r->vrid = vrid;
	return 0;
}

/* One line of at most len bytes starting at buf, NUL-terminated into out. */
static size_t take_line(const char *buf, size_t len, char *out, size_t outlen)
{
	size_t i = 0;
	while (i < len && buf[i] != '\n')
		i++;
	size_t n = i < outlen - 1 ? i : outlen - 1;
	memcpy(out, buf, n);
	out[n] = '\0';
	return i < len ? i + 1 : i;
}

static int parse_master(const char *line, struct handoff *h)
{
	char ifname[IF_NAMESIZE + 1], tail[2];
	int fam;
	unsigned vrid;
	if (sscanf(line, "master %16s %d %u %1s", ifname, &fam, &vrid, tail) != 3)
		return -1;
	if (strlen(ifname) >= IF_NAMESIZE || (fam != 4 && fam != 6) || vrid < 1 || vrid > 255)
		return -1;
	return handoff_add(h, ifname, fam == 4 ? AF_INET : AF_INET6, vrid) ? -1 : 0;
}

int handoff_parse(const char *buf, size_t len, struct handoff *h)
{
	char line[128], tail[2];
	unsigned version;
	unsigned long long t;
	memset(h, 0, sizeof(*h));
	size_t used = take_line(buf, len, line, sizeof(line));
	if (sscanf(line, "vrrpd-handoff %u %llu %1s", &version, &t, tail) != 2 || version != 1)
		return -1;
	h->time_ms = t;
	while (used < len) {
		used += take_line(buf + used, len - used, line, sizeof(line));
		if (line[0] && parse_master(line, h))
			return -1;
	}
	return 0;
}

int handoff_read(const char *path, struct handoff *h)
{
	char buf[HANDOFF_FILE_MAX];
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	ssize_t n = read(fd, buf, sizeof(buf));
	int rc = n < 0 ? -errno : 0;
	close(fd);
	if (rc)
		return rc;
	return handoff_parse(buf, (size_t)n, h) ? -EINVAL : 0;
}

int handoff_write(const char *path, const struct handoff *h)
{
	char tmp[HANDOFF_PATH_MAX + 4];
	if (snprintf(tmp, sizeof(tmp), "%s.new", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	FILE *f = fopen(tmp, "we");
	if (!f)
		return -errno;
	fprintf(f, "vrrpd-handoff 1 %llu\n", (unsigned long long)h->time_ms);
	for (int i = 0; i < h->n; i++)
		fprintf(f, "master %s %d %u\n", h->masters[i].ifname, h->masters[i].family == AF_INET ? 4 : 6,
			h->masters[i].vrid);
	int rc = ferror(f) ? -EIO : 0;
	if (fclose(f) && !rc)
		rc = -errno;
	if (!rc && rename(tmp, path) < 0)
		rc = -errno;
	if (rc)
		unlink(tmp);
	return rc;
}

unsigned handoff_hold_ms(unsigned advert_ms)
{
	return advert_ms > HANDOFF_HOLD_MIN_MS ? advert_ms : HANDOFF_HOLD_MIN_MS;
}

int handoff_resumes(const struct handoff *h, const char *ifname, int family, unsigned vrid,
		    unsigned advert_ms, uint64_t now_ms)
{
	if (now_ms < h->time_ms || now_ms - h->time_ms >= 3ull * handoff_hold_ms(advert_ms))
		return 0;
	for (int i = 0; i < h->n; i++)
		if (h->masters[i].family == family && h->masters[i].vrid == vrid &&
		    strcmp(h->masters[i].ifname, ifname) == 0)
			return 1;
	return 0;
}
