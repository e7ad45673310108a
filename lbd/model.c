/* model: reference counting of configs, runtime state carried across
 * reloads. */
#include "model.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "mtime.h"
#include "tls_client.h"
#include "tls_ctx.h"

const char *const server_admin_names[SERVER_ADMIN_COUNT] = { "ready", "drain", "maint" };

const char *const tls_fail_names[TLS_FAIL_COUNT] = {
	[TLS_FAIL_PROTOCOL] = "protocol",
	[TLS_FAIL_CIPHER] = "cipher",
	[TLS_FAIL_CLIENT_CERT] = "client-cert",
	[TLS_FAIL_CLOSED] = "closed",
	[TLS_FAIL_OTHER] = "other",
};

const char *const check_reason_names[CHECK_REASON_COUNT] = {
	[CHECK_NONE] = "none",
	[CHECK_OK] = "ok",
	[CHECK_CONN_REFUSED] = "connection refused",
	[CHECK_CONN_TIMEOUT] = "connect timeout",
	[CHECK_RESP_TIMEOUT] = "response timeout",
	[CHECK_BAD_STATUS] = "bad status",
	[CHECK_INVALID_RESP] = "invalid response",
	[CHECK_CONN_ERROR] = "connection error",
	[CHECK_PASSIVE] = "connect failures from traffic",
	[CHECK_PEER_DOWN] = "peer down (vrrpd)",
};

int model_server_waitable(const struct server *s)
{
	struct server_state *st = s->st;
	return atomic_load_explicit(&st->up, memory_order_relaxed) &&
	       atomic_load_explicit(&st->admin, memory_order_relaxed) == SERVER_READY &&
	       atomic_load_explicit(&st->weight, memory_order_relaxed) != 0;
}

int model_server_usable(const struct server *s)
{
	if (!model_server_waitable(s))
		return 0;
	return !s->conf.maxconn || model_cnt_get(&s->st->cnt.sess_cur) < s->conf.maxconn;
}

int model_server_set_up(struct server *s, int up)
{
	struct server_state *st = s->st;
	int was = atomic_exchange(&st->up, up ? 1 : 0);
	if (was == (up ? 1 : 0))
		return 0;
	uint64_t now = mtime_wall_ms();
	uint64_t last = atomic_exchange(&st->last_change_ms, now);
	if (up && last && now > last)
		atomic_fetch_add(&st->downtime_ms, now - last);
	return 1;
}

/* ---- configs ---------------------------------------------------------------------- */

void model_server_state_ref(struct server_state *st)
{
	atomic_fetch_add(&st->refs, 1);
}

void model_server_state_unref(struct server_state *st)
{
	if (st && atomic_fetch_sub(&st->refs, 1) == 1)
		free(st);
}

static void backend_state_unref(struct backend_state *st)
{
	if (st && atomic_fetch_sub(&st->refs, 1) == 1)
		free(st);
}

static void frontend_state_unref(struct frontend_state *st)
{
	if (st && atomic_fetch_sub(&st->refs, 1) == 1)
		free(st);
}

static void config_free(struct lbd_config *c)
{
	for (int i = 0; i < c->nbackends; i++) {
		struct backend *be = &c->backends[i];
		for (int j = 0; j < be->nservers; j++) {
			model_server_state_unref(be->servers[j].st);
			tls_client_unref(be->servers[j].tls);
		}
		free(be->servers);
		backend_state_unref(be->st);
	}
	for (int i = 0; i < c->nfrontends; i++) {
		frontend_state_unref(c->frontends[i].st);
		tls_ctx_free(c->frontends[i].tls);
		access_free(c->frontends[i].acl);
	}
	tls_ctx_free(c->g.stats.tls);
	free(c->backends);
	free(c->frontends);
	free(c->path);
	free(c);
}

void model_config_ref(struct lbd_config *c)
{
	atomic_fetch_add(&c->refs, 1);
}

void model_config_unref(struct lbd_config *c)
{
	if (c && atomic_fetch_sub(&c->refs, 1) == 1)
		config_free(c);
}

struct backend *model_find_backend(const struct lbd_config *c, const char *name)
{
	for (int i = 0; c && i < c->nbackends; i++)
		if (strcmp(c->backends[i].conf.name, name) == 0)
			return &c->backends[i];
	return NULL;
}

struct frontend *model_find_frontend(const struct lbd_config *c, const char *name)
{
	for (int i = 0; c && i < c->nfrontends; i++)
		if (strcmp(c->frontends[i].conf.name, name) == 0)
			return &c->frontends[i];
	return NULL;
}

struct server *model_find_server(const struct backend *be, const char *name)
{
	for (int i = 0; be && i < be->nservers; i++)
		if (strcmp(be->servers[i].conf.name, name) == 0)
			return &be->servers[i];
	return NULL;
}

struct server *model_find_server_path(const struct lbd_config *c, const char *path)
{
	const char *slash = strchr(path, '/');
	char bname[MODEL_NAME_MAX];
	if (!slash || (size_t)(slash - path) >= sizeof(bname))
		return NULL;
	memcpy(bname, path, (size_t)(slash - path));
	bname[slash - path] = '\0';
	return model_find_server(model_find_backend(c, bname), slash + 1);
}

static struct server_state *server_state_new(const struct server *s)
{
	struct server_state *st = calloc(1, sizeof(*st));
	if (!st)
		return NULL;
	atomic_init(&st->refs, 1);
	/* Without a check a server is simply up; with one it waits for its
	 * first passing check unless `start up` was configured. */
	const struct check_conf *ck = &s->be->conf.check;
	atomic_init(&st->up, !ck->enabled || ck->start_up);
	atomic_init(&st->admin, s->conf.disabled ? SERVER_MAINT : SERVER_READY);
	atomic_init(&st->weight, s->conf.weight);
	atomic_init(&st->check_health, ck->enabled && !ck->start_up ? 0 : (int)(ck->rise + ck->fall - 1));
	atomic_init(&st->last_change_ms, mtime_wall_ms());
	return st;
}

static int adopt_backend(struct backend *be, const struct backend *obe)
{
	if (obe) {
		be->st = obe->st;
		atomic_fetch_add(&be->st->refs, 1);
	} else {
		be->st = calloc(1, sizeof(*be->st));
		if (!be->st)
			return -ENOMEM;
		atomic_init(&be->st->refs, 1);
	}
	for (int j = 0; j < be->nservers; j++) {
		struct server *s = &be->servers[j];
		const struct server *os = model_find_server(obe, s->conf.name);
		if (os && os->st && addr_equal_ip(&os->conf.addr, &s->conf.addr) &&
		    addr_port(&os->conf.addr) == addr_port(&s->conf.addr)) {
			s->st = os->st;
			atomic_fetch_add(&s->st->refs, 1);
			/* A changed weight in the file wins over a runtime `set weight`. */
			if (os->conf.weight != s->conf.weight)
				atomic_store(&s->st->weight, s->conf.weight);
		} else {
			s->st = server_state_new(s);
			if (!s->st)
				return -ENOMEM;
		}
	}
	return 0;
}

int model_config_adopt_state(struct lbd_config *cfg, const struct lbd_config *old)
{
	for (int i = 0; i < cfg->nbackends; i++) {
		struct backend *be = &cfg->backends[i];
		int rc = adopt_backend(be, model_find_backend(old, be->conf.name));
		if (rc)
			return rc;
	}
	for (int i = 0; i < cfg->nfrontends; i++) {
		struct frontend *fe = &cfg->frontends[i];
		const struct frontend *ofe = model_find_frontend(old, fe->conf.name);
		if (ofe) {
			fe->st = ofe->st;
			atomic_fetch_add(&fe->st->refs, 1);
		} else {
			fe->st = calloc(1, sizeof(*fe->st));
			if (!fe->st)
				return -ENOMEM;
			atomic_init(&fe->st->refs, 1);
		}
	}
	return 0;
}
