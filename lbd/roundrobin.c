/* lb: smooth weighted round-robin.  Every pick adds each candidate's
 * weight to its current weight, takes the largest, and takes the total off
 * the winner: weights 5,1,1 give a a b a c a a, spread out, not a a a a a b c. */
#include "roundrobin.h"

#include <errno.h>
#include <stdlib.h>

#include "model.h"

int roundrobin_set_init(struct roundrobin_set *s, const struct lbd_config *c)
{
	s->n = c->nbackends;
	s->be = calloc((size_t)(c->nbackends ? c->nbackends : 1), sizeof(*s->be));
	if (!s->be)
		return -ENOMEM;
	for (int i = 0; i < c->nbackends; i++) {
		s->be[i].n = c->backends[i].nservers;
		s->be[i].cw = calloc((size_t)c->backends[i].nservers, sizeof(int64_t));
		if (!s->be[i].cw) {
			roundrobin_set_free(s);
			return -ENOMEM;
		}
	}
	return 0;
}

void roundrobin_set_free(struct roundrobin_set *s)
{
	for (int i = 0; s->be && i < s->n; i++)
		free(s->be[i].cw);
	free(s->be);
	s->be = NULL;
	s->n = 0;
}

static struct server *swrr(const struct backend *be, struct roundrobin *rr, int backup, const struct server *avoid)
{
	struct server *best = NULL;
	int64_t total = 0;
	for (int i = 0; i < be->nservers && i < rr->n; i++) {
		struct server *s = &be->servers[i];
		if (s->conf.backup != backup || s == avoid || !model_server_usable(s))
			continue;
		int64_t w = atomic_load_explicit(&s->st->weight, memory_order_relaxed);
		rr->cw[i] += w;
		total += w;
		if (!best || rr->cw[i] > rr->cw[best->id])
			best = s;
	}
	if (best)
		rr->cw[best->id] -= total;
	return best;
}

/* Without round-robin state (a request finishing on a config the worker
 * has already replaced): the first usable server. */
static struct server *first_usable(const struct backend *be, int backup, const struct server *avoid)
{
	for (int i = 0; i < be->nservers; i++) {
		struct server *s = &be->servers[i];
		if (s->conf.backup == backup && s != avoid && model_server_usable(s))
			return s;
	}
	return NULL;
}

static int any_waitable(const struct backend *be, int backup, const struct server *avoid)
{
	for (int i = 0; i < be->nservers; i++)
		if (be->servers[i].conf.backup == backup && &be->servers[i] != avoid &&
		    model_server_waitable(&be->servers[i]))
			return 1;
	return 0;
}

int roundrobin_should_queue(const struct backend *be)
{
	return any_waitable(be, 0, NULL) || any_waitable(be, 1, NULL);
}

struct server *roundrobin_pick(const struct backend *be, struct roundrobin *rr, const struct server *avoid)
{
	if (!rr) {
		struct server *s = first_usable(be, 0, avoid);
		if (!s && !any_waitable(be, 0, avoid))
			s = first_usable(be, 1, avoid);
		return s ? s : (avoid && model_server_usable(avoid) ? (struct server *)avoid : NULL);
	}
	struct server *s = swrr(be, rr, 0, avoid);
	/* Backups stand in for servers that are down, not for busy ones. */
	if (!s && !any_waitable(be, 0, avoid))
		s = swrr(be, rr, 1, avoid);
	if (!s && avoid && model_server_usable(avoid))
		s = (struct server *)avoid;
	return s;
}

int roundrobin_has_slot(const struct backend *be, const struct server *avoid)
{
	return roundrobin_pick(be, NULL, avoid) != NULL;
}
