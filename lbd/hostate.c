/* hostate: servers' state from a running lbd to its successor (see hostate.h). */
#include "hostate.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "buf.h"

#define FIELDS 7

void hostate_write(const struct lbd_config *c, struct buf *out)
{
	char a[ADDR_STRLEN];
	for (int i = 0; i < c->nbackends; i++) {
		const struct backend *be = &c->backends[i];
		for (int j = 0; j < be->nservers; j++) {
			const struct server *s = &be->servers[j];
			buf_printf(out, "%s\t%s\t%s\t%d\t%d\t%d\t%u\n", be->conf.name, s->conf.name,
				   addr_format(&s->conf.addr, a, sizeof(a)), atomic_load(&s->st->up),
				   atomic_load(&s->st->check_health), atomic_load(&s->st->admin),
				   (unsigned)atomic_load(&s->st->weight));
		}
	}
}

/* A decimal in [0, max] of at most 10 digits, the whole field. */
static int number(const char *p, size_t len, unsigned long max, unsigned long *v)
{
	if (len == 0 || len > 10)
		return -1;
	unsigned long n = 0;
	for (size_t i = 0; i < len; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		n = n * 10 + (unsigned long)(p[i] - '0');
	}
	if (n > max)
		return -1;
	*v = n;
	return 0;
}

static int name(const char *p, size_t len, char *out)
{
	if (len == 0 || len >= MODEL_NAME_MAX || memchr(p, 0, len))
		return -1;
	memcpy(out, p, len);
	out[len] = 0;
	return 0;
}

int hostate_parse_line(const char *line, size_t len, struct hostate_rec *r)
{
	const char *f[FIELDS];
	size_t flen[FIELDS];
	size_t start = 0;
	int n = 0;
	for (size_t i = 0; i <= len; i++) {
		if (i < len && line[i] != '\t')
			continue;
		if (n == FIELDS)
			return -1;
		f[n] = line + start;
		flen[n++] = i - start;
		start = i + 1;
	}
	if (n != FIELDS)
		return -1;
	char a[ADDR_STRLEN], err[64];
	unsigned long up, health, admin, weight;
	if (name(f[0], flen[0], r->backend) || name(f[1], flen[1], r->server) || flen[2] >= sizeof(a))
		return -1;
	memcpy(a, f[2], flen[2]);
	a[flen[2]] = 0;
	if (addr_parse(a, ADDR_PORT_REQUIRED, &r->addr, err, sizeof(err)))
		return -1;
	if (number(f[3], flen[3], 1, &up) || number(f[4], flen[4], 1000000, &health) ||
	    number(f[5], flen[5], SERVER_ADMIN_COUNT - 1, &admin) || number(f[6], flen[6], 1000000, &weight))
		return -1;
	r->up = (int)up;
	r->health = (int)health;
	r->admin = (int)admin;
	r->weight = (unsigned)weight;
	return 0;
}

int hostate_apply(struct lbd_config *c, const char *text, size_t len)
{
	int n = 0;
	size_t pos = 0;
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t l = nl ? (size_t)(nl - (text + pos)) : len - pos;
		struct hostate_rec r;
		if (hostate_parse_line(text + pos, l, &r) == 0) {
			struct server *s = model_find_server(model_find_backend(c, r.backend), r.server);
			if (s && addr_equal_ip(&s->conf.addr, &r.addr) && addr_port(&s->conf.addr) == addr_port(&r.addr)) {
				const struct check_conf *ck = &s->be->conf.check;
				int top = (int)(ck->rise + ck->fall) - 1;
				/* Health is the checker's: only for a checked server. */
				if (ck->enabled) {
					atomic_store(&s->st->up, r.up);
					atomic_store(&s->st->check_health, r.health > top ? top : r.health);
				}
				/* A runtime admin state and weight survive, as on a reload;
				 * a server disabled in the file stays so. */
				if (!s->conf.disabled)
					atomic_store(&s->st->admin, r.admin);
				atomic_store(&s->st->weight, r.weight);
				n++;
			}
		}
		pos += l + 1;
	}
	return n;
}
