#include "stats.h"

#include <stdint.h>
#include <stdlib.h>

/* Same bounds as the workers' histogram (model_rt_bounds_us). */
const uint64_t stats_rt_bounds_us[STATS_RT_BUCKETS - 1] = {
	250, 500, 1000, 2500, 5000, 10000, 25000, 50000, 100000,
	250000, 500000, 1000000, 2500000, 10000000,
};

static const char *const srv_state_names[] = {
	[STATS_SRV_UP] = "UP",
	[STATS_SRV_DOWN] = "DOWN",
	[STATS_SRV_MAINT] = "MAINT",
	[STATS_SRV_DRAIN] = "DRAIN",
};

const char *stats_srv_state_name(enum stats_srv_state st)
{
	return (unsigned)st <= STATS_SRV_DRAIN ? srv_state_names[st] : "?";
}

void stats_snapshot_free(struct stats_snapshot *s)
{
	for (int i = 0; i < s->nbackends; i++) {
		free(s->backends[i].servers);
		s->backends[i].servers = NULL;
	}
	free(s->backends);
	s->backends = NULL;
	free(s->frontends);
	s->frontends = NULL;
	s->nbackends = s->nfrontends = 0;
}

uint64_t stats_rt_quantile_us(const struct stats_counters *c, double q)
{
	uint64_t total = 0, seen = 0;
	for (int k = 0; k < STATS_RT_BUCKETS; k++)
		total += c->rt_hist[k];
	if (!total)
		return 0;
	/* The rank of the quantile, rounded up: p99 of 100 samples is the 99th. */
	uint64_t rank = (uint64_t)(q * (double)total);
	if ((double)rank < q * (double)total)
		rank++;
	if (rank == 0)
		rank = 1;
	for (int k = 0; k < STATS_RT_BUCKETS - 1; k++) {
		seen += c->rt_hist[k];
		if (seen >= rank)
			return stats_rt_bounds_us[k];
	}
	return UINT64_MAX;
}
