/* worker: placeholder until the data path lands (step 3 of issue 4): no
 * threads, no listeners; the process runs its main loop only. */
#include "worker.h"

#include <ev.h>
#include <stdlib.h>

struct workers {
	int n;
};

struct workers *workers_new(struct ev_loop *main_loop, struct lbd_config *cfg, char *err, size_t errlen)
{
	(void)main_loop; (void)cfg; (void)err; (void)errlen;
	return calloc(1, sizeof(struct workers));
}

int workers_prepare(struct workers *w, struct lbd_config *cfg, char *err, size_t errlen)
{
	(void)w; (void)cfg; (void)err; (void)errlen;
	return 0;
}

void workers_switch(struct workers *w, struct lbd_config *cfg)
{
	(void)w; (void)cfg;
}

void workers_stop_accepting(struct workers *w)
{
	(void)w;
}

void workers_when_idle(struct workers *w, struct ev_loop *main_loop)
{
	(void)w;
	ev_break(main_loop, EVBREAK_ALL);
}

int workers_alive(struct workers *w, uint64_t max_age_ms)
{
	(void)w; (void)max_age_ms;
	return 1;
}

int workers_count(const struct workers *w)
{
	return w ? w->n : 0;
}

void workers_free(struct workers *w)
{
	free(w);
}
