/* lbd: the process object (see lbd.h). */
#include "lbd.h"

#include <errno.h>
#include <ev.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "config.h"
#include "ctl.h"
#include "daemon.h"
#include "fdstore.h"
#include "handover.h"
#include "hostate.h"
#include "json.h"
#include "log.h"
#include "model.h"
#include "quiesce.h"
#include "reuseport.h"
#include "tls_keys.h"
#include "upgrade.h"
#include "mtime.h"
#include "worker.h"

#define LBD_MAX_SERVICES 8
#define LBD_MAX_CMDS 32

struct lbd_cmd {
	const char *name, *help;
	lbd_ctl_fn fn;
	void *arg;
};

struct lbd {
	char *conf_path;
	int foreground;
	struct ev_loop *loop;
	pthread_mutex_t cfg_lock;     /* only for taking a reference to `cfg` */
	struct lbd_config *cfg;
	struct workers *workers;
	struct ctl_server *ctl;
	struct handover_srv *ho;      /* where a successor takes our listening sockets */
	struct fdstore *store;        /* systemd's copies of them, kept across a restart */
	struct reuseport *rp;         /* BPF steering of our sockets, after an upgrade that replaced them */
	char ho_path[sizeof(((struct global_conf *)0)->control) + sizeof(HANDOVER_SUFFIX)];
	const struct lbd_service *svc[LBD_MAX_SERVICES];
	int nsvc, svc_started;
	struct lbd_cmd cmds[LBD_MAX_CMDS];
	int ncmds;
	ev_signal sighup, sigterm, sigint, sigusr2;
	ev_child upgrade_child;       /* the process started by an upgrade, until it exits or we stop */
	ev_timer grace;
	struct quiesce quiesce;       /* planned VIP handover: "quiesce SECONDS|status|off" */
	ev_timer stop_soon;           /* begin_stop() once a successor has its answer */
	atomic_int stopping;          /* set on the main loop, read by lbd_alive() from the stats thread */
	uint64_t generation;
	uint64_t started_ms, reloaded_ms;
	uint64_t reloads_ok, reloads_failed;
};

struct lbd *lbd_new(const char *conf_path, int foreground)
{
	struct lbd *l = calloc(1, sizeof(*l));
	if (!l)
		return NULL;
	l->conf_path = strdup(conf_path);
	l->foreground = foreground;
	l->loop = ev_default_loop(EVBACKEND_EPOLL);
	if (!l->conf_path || !l->loop) {
		free(l->conf_path);
		free(l);
		return NULL;
	}
	pthread_mutex_init(&l->cfg_lock, NULL);
	quiesce_init(&l->quiesce, l->loop);
	return l;
}

void lbd_free(struct lbd *l)
{
	if (!l)
		return;
	model_config_unref(l->cfg);
	l->cfg = NULL;
	fdstore_free(l->store);
	l->store = NULL;
	reuseport_free(l->rp);
	l->rp = NULL;
	pthread_mutex_destroy(&l->cfg_lock);
	free(l->conf_path);
	free(l);
}

int lbd_service_add(struct lbd *l, const struct lbd_service *svc)
{
	if (l->nsvc == LBD_MAX_SERVICES)
		return -ENOSPC;
	l->svc[l->nsvc++] = svc;
	return 0;
}

int lbd_ctl_register(struct lbd *l, const char *cmd, const char *help, lbd_ctl_fn fn, void *arg)
{
	if (l->ncmds == LBD_MAX_CMDS)
		return -ENOSPC;
	l->cmds[l->ncmds++] = (struct lbd_cmd){ cmd, help, fn, arg };
	return 0;
}

struct lbd_config *lbd_config_get(struct lbd *l)
{
	pthread_mutex_lock(&l->cfg_lock);
	struct lbd_config *c = l->cfg;
	if (c)
		model_config_ref(c);
	pthread_mutex_unlock(&l->cfg_lock);
	return c;
}

struct ev_loop *lbd_main_loop(struct lbd *l)
{
	return l->loop;
}

void lbd_publish(struct lbd *l, const char *json_line)
{
	ctl_server_publish(l->ctl, json_line);
}

int lbd_alive(struct lbd *l, uint64_t max_age_ms)
{
	return !atomic_load(&l->stopping) && workers_alive(l->workers, max_age_ms);
}

/* ---- configuration ------------------------------------------------------------------- */

/* systemd's fd store holds the listening sockets in use (see fdstore.h). */
static void store_sync(struct lbd *l)
{
	enum { MAX = 4096 };
	if (!l->store)
		return;
	struct handover_sock *list = calloc(MAX, sizeof(*list));
	if (list)
		fdstore_sync(l->store, list, workers_list_sockets(l->workers, list, MAX));
	free(list);
}

/* The SK_REUSEPORT programs steer to the sockets in use (see
 * reuseport.h): how many, or negative errno with err. */
static int steer_sync(struct lbd *l, char *err, size_t errlen)
{
	enum { MAX = 4096 };
	if (!l->rp)
		return 0;
	struct handover_sock *list = calloc(MAX, sizeof(*list));
	if (!list) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	int n = workers_list_sockets(l->workers, list, MAX);
	int rc = reuseport_sync(l->rp, list, n, err, errlen);
	free(list);
	return rc ? rc : n;
}

static int load(struct lbd *l, struct lbd_config **out, char *err, size_t errlen)
{
	struct lbd_config *c;
	int rc = config_load(l->conf_path, &c, err, errlen);
	if (rc)
		return rc;
	rc = model_config_adopt_state(c, l->cfg);
	if (rc) {
		snprintf(err, errlen, "out of memory");
		model_config_unref(c);
		return rc;
	}
	c->generation = ++l->generation;
	*out = c;
	return 0;
}

static void set_current(struct lbd *l, struct lbd_config *c)
{
	pthread_mutex_lock(&l->cfg_lock);
	l->cfg = c;
	pthread_mutex_unlock(&l->cfg_lock);
}

int lbd_reload(struct lbd *l, char *err, size_t errlen)
{
	struct lbd_config *c, *old = l->cfg;
	if (atomic_load(&l->stopping)) {
		snprintf(err, errlen, "stopping");
		return -ESHUTDOWN;
	}
	daemon_notify("RELOADING=1");
	int rc = load(l, &c, err, errlen);
	if (!rc)
		rc = workers_prepare(l->workers, c, err, errlen);
	if (rc) {
		l->reloads_failed++;
		log_err("reload refused, keeping configuration %llu: %s", (unsigned long long)old->generation, err);
		daemon_notify("READY=1");
		return rc;
	}
	set_current(l, c);
	workers_switch(l->workers, c);
	store_sync(l);
	char serr[256];
	if (steer_sync(l, serr, sizeof(serr)) < 0)
		log_warn("reload: %s", serr);
	for (int i = 0; i < l->svc_started; i++)
		if (l->svc[i]->reload)
			l->svc[i]->reload(l, c, old);
	model_config_unref(old);
	l->reloads_ok++;
	l->reloaded_ms = mtime_wall_ms();
	log_notice("configuration %llu loaded from %s", (unsigned long long)c->generation, l->conf_path);
	daemon_notify("READY=1");
	return 0;
}

/* ---- control socket -------------------------------------------------------------------- */

static int cmd_status(struct lbd *l, void *arg, int argc, char **argv, struct buf *r)
{
	(void)arg; (void)argc; (void)argv;
	struct lbd_config *c = l->cfg;
	buf_printf(r, "{\"ok\":true,\"daemon\":\"lbd\",\"version\":\"%s\",\"config\":", VERSION);
	json_string(r, l->conf_path);
	buf_printf(r, ",\"generation\":%llu,\"workers\":%d,\"pools\":%d,\"alive\":%s,\"uptime_ms\":%llu,"
		      "\"reloads\":%llu,\"reloads_failed\":%llu,\"frontends\":[",
		   (unsigned long long)c->generation, workers_count(l->workers), workers_pools(l->workers),
		   lbd_alive(l, 3000) ? "true" : "false",
		   (unsigned long long)(mtime_wall_ms() - l->started_ms), (unsigned long long)l->reloads_ok,
		   (unsigned long long)l->reloads_failed);
	for (int i = 0; i < c->nfrontends; i++) {
		const struct frontend *fe = &c->frontends[i];
		buf_puts(r, i ? ",{\"name\":" : "{\"name\":");
		json_string(r, fe->conf.name);
		buf_puts(r, ",\"backend\":");
		json_string(r, fe->conf.backend);
		const struct lbd_counters *fc = &fe->st->cnt;
		buf_printf(r, ",\"conn_cur\":%llu,\"conn_total\":%llu,\"requests\":%llu,\"err_req\":%llu,"
			      "\"2xx\":%llu,\"4xx\":%llu,\"5xx\":%llu,\"timeouts\":%llu}",
			   (unsigned long long)model_cnt_get(&fc->sess_cur), (unsigned long long)model_cnt_get(&fc->sess_total),
			   (unsigned long long)model_cnt_get(&fc->req_total), (unsigned long long)model_cnt_get(&fc->err_req),
			   (unsigned long long)model_cnt_get(&fc->resp[2]), (unsigned long long)model_cnt_get(&fc->resp[4]),
			   (unsigned long long)model_cnt_get(&fc->resp[5]), (unsigned long long)model_cnt_get(&fc->timeouts));
	}
	buf_puts(r, "],\"backends\":[");
	for (int i = 0; i < c->nbackends; i++) {
		const struct backend *be = &c->backends[i];
		const struct lbd_counters *bc = &be->st->cnt;
		buf_puts(r, i ? ",{\"name\":" : "{\"name\":");
		json_string(r, be->conf.name);
		buf_printf(r, ",\"requests\":%llu,\"retries\":%llu,\"redispatches\":%llu,\"servers\":[",
			   (unsigned long long)model_cnt_get(&bc->req_total), (unsigned long long)model_cnt_get(&bc->retries),
			   (unsigned long long)model_cnt_get(&bc->redispatches));
		for (int j = 0; j < be->nservers; j++) {
			const struct server *s = &be->servers[j];
			const struct lbd_counters *sc = &s->st->cnt;
			buf_puts(r, j ? ",{\"name\":" : "{\"name\":");
			json_string(r, s->conf.name);
			buf_printf(r, ",\"up\":%d,\"admin\":\"%s\",\"requests\":%llu,\"err_conn\":%llu,\"err_resp\":%llu,"
				      "\"retries\":%llu,\"redispatches\":%llu,\"5xx\":%llu}",
				   atomic_load(&s->st->up), server_admin_names[atomic_load(&s->st->admin) % SERVER_ADMIN_COUNT],
				   (unsigned long long)model_cnt_get(&sc->req_total), (unsigned long long)model_cnt_get(&sc->err_conn),
				   (unsigned long long)model_cnt_get(&sc->err_resp), (unsigned long long)model_cnt_get(&sc->retries),
				   (unsigned long long)model_cnt_get(&sc->redispatches), (unsigned long long)model_cnt_get(&sc->resp[5]));
		}
		buf_puts(r, "]}");
	}
	buf_puts(r, "]}");
	return 0;
}

static int cmd_reload(struct lbd *l, void *arg, int argc, char **argv, struct buf *r)
{
	(void)arg; (void)argc; (void)argv;
	char err[512];
	if (lbd_reload(l, err, sizeof(err))) {
		buf_puts(r, err);
		return -EINVAL;
	}
	buf_printf(r, "{\"ok\":true,\"generation\":%llu}", (unsigned long long)l->cfg->generation);
	return 0;
}

static int cmd_help(struct lbd *l, void *arg, int argc, char **argv, struct buf *r)
{
	(void)arg; (void)argc; (void)argv;
	buf_puts(r, "{\"ok\":true,\"commands\":[");
	for (int i = 0; i < l->ncmds; i++) {
		buf_puts(r, i ? "," : "");
		json_string(r, l->cmds[i].help);
	}
	buf_puts(r, "]}");
	return 0;
}

static int cmd_quiesce(struct lbd *l, void *arg, int argc, char **argv, struct buf *r)
{
	(void)arg;
	if (atomic_load(&l->stopping)) {
		buf_puts(r, "stopping");
		return -ESHUTDOWN;
	}
	return quiesce_cmd(&l->quiesce, l->workers, argc, argv, r);
}

static int ctl_dispatch(void *arg, int argc, char **argv, struct buf *reply)
{
	struct lbd *l = arg;
	for (int i = 0; i < l->ncmds; i++)
		if (strcmp(l->cmds[i].name, argv[0]) == 0)
			return l->cmds[i].fn(l, l->cmds[i].arg, argc, argv, reply);
	buf_printf(reply, "unknown command '%s', try 'help'", argv[0]);
	return -ENOENT;
}

/* ---- signals and stop -------------------------------------------------------------------- */

static void sighup_cb(struct ev_loop *loop, ev_signal *w, int revents)
{
	(void)loop; (void)revents;
	char err[512];
	lbd_reload(w->data, err, sizeof(err));
}

static void grace_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)w; (void)revents;
	ev_break(loop, EVBREAK_ALL);
}

/* Stop accepting, let the requests in flight finish within `grace`, exit. */
static void begin_stop(struct lbd *l, int handed_over)
{
	quiesce_end(&l->quiesce); /* the successor gets the sockets without the filter */
	atomic_store(&l->stopping, 1);
	handover_close(l->ho, 1);
	l->ho = NULL;
	log_notice("stopping: no new connections, %u ms for in-flight requests", l->cfg->g.grace_ms);
	/* Sockets systemd keeps for the next process stay open here until
	 * exit, as after a handover (see worker.c, wake_cb()). */
	workers_stop_accepting(l->workers, handed_over || fdstore_count(l->store) > 0, handed_over);
	ev_timer_init(&l->grace, grace_cb, l->cfg->g.grace_ms / 1000.0, 0);
	ev_timer_start(l->loop, &l->grace);
	workers_when_idle(l->workers, l->loop);
}

static void sigterm_cb(struct ev_loop *loop, ev_signal *w, int revents)
{
	struct lbd *l = w->data;
	(void)revents;
	if (atomic_load(&l->stopping)) {
		ev_break(loop, EVBREAK_ALL); /* a second signal: now */
		return;
	}
	daemon_notify("STOPPING=1");
	begin_stop(l, 0);
}

/* ---- handover to a new process (see handover.h) ------------------------------------------ */

static int ho_list(void *arg, struct handover_sock *out, int max)
{
	struct lbd *l = arg;
	return atomic_load(&l->stopping) ? 0 : workers_list_sockets(l->workers, out, max);
}

static void stop_soon_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop; (void)revents;
	begin_stop(w->data, 1);
}

/* The successor accepts on our sockets: give it the control socket and the
 * stats listener, stop accepting and drain. */
static void ho_release(void *arg, pid_t peer, int close_old)
{
	struct lbd *l = arg;
	enum { MAX = 4096 };
	struct handover_sock *list = close_old ? calloc(MAX, sizeof(*list)) : NULL;
	int n = list ? workers_list_sockets(l->workers, list, MAX) : 0;
	handover_close(l->ho, 0); /* the path is the successor's now */
	l->ho = NULL;
	ctl_server_close(l->ctl);
	l->ctl = NULL;
	for (int i = l->svc_started - 1; i >= 0; i--)
		if (l->svc[i]->stop)
			l->svc[i]->stop(l);
	l->svc_started = 0;
	/* Replaced: stop listening at once, before the workers (one may be
	 * busy) acknowledge the stop; the kernel moves what waits in the
	 * accept queues to the new process's sockets, as its SK_REUSEPORT
	 * programs choose.  A worker still watching gets EINVAL from accept.
	 * The descriptors stay open until exit (see begin_stop()). */
	int stopped = 0;
	for (int i = 0; i < n; i++)
		stopped += shutdown(list[i].fd, SHUT_RD) == 0;
	if (close_old)
		log_notice("handover: pid %d listens beside us; %d of our %d listening sockets closed, the connections "
			   "waiting in them migrate to its sockets", (int)peer, stopped, n);
	else
		log_notice("handover: pid %d accepts on our listening sockets", (int)peer);
	free(list);
	/* The successor waits for our answer, sent when this returns; the stop
	 * waits for every worker's acknowledgement (seconds, if one is busy),
	 * so it comes after. */
	atomic_store(&l->stopping, 1);
	ev_timer_init(&l->stop_soon, stop_soon_cb, 0, 0);
	l->stop_soon.data = l;
	ev_timer_start(l->loop, &l->stop_soon);
}

static void ho_state(void *arg, struct buf *out)
{
	struct lbd *l = arg;
	hostate_write(l->cfg, out);
}

static size_t ho_secret(void *arg, unsigned char *out, size_t max)
{
	(void)arg;
	return tls_keys_export(out, max);
}

static const struct handover_ops ho_ops = { ho_list, ho_release, ho_state, ho_secret };


static void upgrade_child_cb(struct ev_loop *loop, ev_child *w, int revents)
{
	struct lbd *l = w->data;
	(void)revents;
	ev_child_stop(loop, w);
	if (!atomic_load(&l->stopping))
		log_err("upgrade: the new process (pid %d) exited with status %d before taking over; still serving",
			w->rpid, w->rstatus);
}

/* Start the binary installed now beside us; it takes our sockets over. */
static int lbd_upgrade(struct lbd *l, char *err, size_t errlen)
{
	if (atomic_load(&l->stopping)) {
		snprintf(err, errlen, "stopping");
		return -ESHUTDOWN;
	}
	if (!l->ho) {
		snprintf(err, errlen, "upgrade needs the handover socket (a 'control' socket in the configuration)");
		return -ENOTSUP;
	}
	if (ev_is_active(&l->upgrade_child)) {
		snprintf(err, errlen, "an upgrade is under way (pid %d)", l->upgrade_child.pid);
		return -EBUSY;
	}
	pid_t pid = upgrade_spawn(err, errlen);
	if (pid < 0) {
		log_err("%s", err);
		return (int)pid;
	}
	ev_child_set(&l->upgrade_child, pid, 0);
	ev_child_start(l->loop, &l->upgrade_child);
	log_notice("upgrade: started pid %d from the installed binary; it takes the listening sockets over", (int)pid);
	return 0;
}

static void sigusr2_cb(struct ev_loop *loop, ev_signal *w, int revents)
{
	(void)loop; (void)revents;
	char err[512];
	lbd_upgrade(w->data, err, sizeof(err));
}

static int cmd_upgrade(struct lbd *l, void *arg, int argc, char **argv, struct buf *r)
{
	(void)arg; (void)argc; (void)argv;
	char err[512];
	int rc = lbd_upgrade(l, err, sizeof(err));
	if (rc) {
		buf_puts(r, err);
		return rc;
	}
	buf_printf(r, "{\"ok\":true,\"pid\":%d}", l->upgrade_child.pid);
	return 0;
}

/* Take the listening sockets of a running lbd (an upgrade: SCM_RIGHTS), or
 * those systemd kept across a restart (its fd store), if there are any,
 * and start the workers on them (or on new sockets). */
static int start_workers(struct lbd *l, struct lbd_config *c, char *err, size_t errlen)
{
	struct handover_in in = { .conn = -1 }, kept = { .conn = -1 };
	int took = 0, restored = fdstore_fetch(&kept, err, errlen);
	if (restored < 0) {
		log_warn("%s; opening the listening sockets anew", err);
		restored = 0;
	}
	l->store = fdstore_new();
	l->ho_path[0] = 0;
	if (c->g.control[0]) {
		snprintf(l->ho_path, sizeof(l->ho_path), "%s%s", c->g.control, HANDOVER_SUFFIX);
		took = handover_fetch(l->ho_path, &in, err, errlen);
		if (took < 0) {
			log_warn("%s; opening the listening sockets anew", err);
			took = 0;
		}
	}
	if (took || !restored) {
		handover_in_free(&kept); /* the same sockets, if any: the running lbd's are taken */
		restored = 0;
	}
	if (took && in.state) {
		int n = hostate_apply(c, in.state, in.state_len);
		log_notice("handover: health and admin state of %d servers taken from pid %d", n, (int)in.peer);
	}
	if (took && in.secret_len) {
		int n = tls_keys_import(in.secret, in.secret_len);
		explicit_bzero(in.secret, sizeof(in.secret));
		in.secret_len = 0;
		if (n < 0)
			log_warn("handover: the TLS ticket keys of pid %d are not understood; its clients' sessions will "
				 "not resume here", (int)in.peer);
		else
			log_notice("handover: %d TLS ticket keys taken from pid %d (its clients resume here)", n,
				   (int)in.peer);
	}
	/* An upgrade: with BPF, sockets of our own beside the old process's,
	 * which it then closes (its waiting connections migrate); without, its
	 * sockets over SCM_RIGHTS. */
	int replace = 0;
	if (took) {
		char rerr[256];
		if (!in.can_close)
			snprintf(rerr, sizeof(rerr), "pid %d is an lbd that cannot close its sockets for us", (int)in.peer);
		else if ((l->rp = reuseport_new(rerr, sizeof(rerr))) != NULL)
			replace = 1;
		if (!replace)
			log_notice("handover: %s: taking its listening sockets over SCM_RIGHTS", rerr);
	}
	struct handover_in *from = took && !replace ? &in : restored ? &kept : NULL;
	l->workers = workers_new(l->loop, c, from, err, errlen);
	if (!l->workers) {
		handover_in_free(&in);
		handover_in_free(&kept);
		return -EIO;
	}
	if (replace) {
		char rerr[256];
		int n = steer_sync(l, rerr, sizeof(rerr));
		if (n < 0)
			log_warn("handover: %s; the connections waiting in pid %d's sockets may be reset", rerr,
				 (int)in.peer);
		else
			log_notice("listening sockets: %d opened beside pid %d's, steered to by the SK_REUSEPORT program "
				   "(BPF); the connections waiting in the old ones migrate here", n, (int)in.peer);
	}
	if (!from && !replace) {
		log_notice("listening sockets: opened anew (no running lbd at %s, none kept by systemd)",
			   l->ho_path[0] ? l->ho_path : "-");
		store_sync(l);
		return 0;
	}
	int offered = from ? from->n : 0, unused = 0;
	for (int i = 0; i < offered; i++)
		unused += from->s[i].fd >= 0;
	if (restored)
		log_notice("listening sockets: %d of %d taken back from systemd's fd store (restart: connections "
			   "that waited in them are accepted now)", offered - unused, offered);
	else if (!replace)
		log_notice("listening sockets: %d of %d taken over from pid %d over %s (SCM_RIGHTS)", offered - unused,
			   offered, (int)in.peer, l->ho_path);
	/* Received sockets this process does not use leave systemd's store
	 * too, before it gets the ones in use (a name covers them all). */
	if (from)
		fdstore_forget(l->store, from->s, from->n);
	else
		fdstore_forget(l->store, in.s, in.n);
	store_sync(l);
	if (took) {
		/* Under systemd (NotifyAccess=all) this process is the service's
		 * main one from now on: the old one exits once drained. */
		char st[64];
		snprintf(st, sizeof(st), "MAINPID=%d", (int)getpid());
		daemon_notify(st);
		char herr[256];
		if (handover_release(&in, replace, herr, sizeof(herr)))
			log_warn("%s", herr);
		else if (replace)
			log_notice("handover: %llu connections migrated from pid %d's listening sockets",
				   (unsigned long long)reuseport_migrated(l->rp), (int)in.peer);
	}
	if (replace)
		handover_in_free(&in); /* our copies of the old sockets */
	else if (handover_in_free(from))
		log_warn("%d listening sockets of the old process are not bound here (other binds or fewer workers): "
			 "closed, connections waiting in them are reset", unused);
	return 0;
}

int lbd_run(struct lbd *l, char *err, size_t errlen)
{
	struct lbd_config *c;
	int rc = load(l, &c, err, errlen);
	if (rc)
		return rc;
	l->cfg = c;
	l->started_ms = mtime_wall_ms();
	lbd_ctl_register(l, "status", "status", cmd_status, NULL);
	lbd_ctl_register(l, "reload", "reload", cmd_reload, NULL);
	lbd_ctl_register(l, "upgrade", "upgrade", cmd_upgrade, NULL);
	lbd_ctl_register(l, "quiesce", "quiesce SECONDS | quiesce status | quiesce close | quiesce off", cmd_quiesce, NULL);
	lbd_ctl_register(l, "help", "help", cmd_help, NULL);
	rc = start_workers(l, c, err, errlen);
	if (rc)
		return rc;
	if (c->g.control[0]) {
		l->ctl = ctl_server_open(l->loop, c->g.control, ctl_dispatch, l, err, errlen);
		if (!l->ctl)
			goto bad;
		char herr[256];
		l->ho = handover_listen(l->loop, l->ho_path, &ho_ops, l, herr, sizeof(herr));
		if (!l->ho)
			log_warn("%s: no handover to a new process", herr);
	}
	for (; l->svc_started < l->nsvc; l->svc_started++) {
		const struct lbd_service *s = l->svc[l->svc_started];
		if (s->start && (rc = s->start(l, c, err, errlen)) != 0)
			goto bad;
	}
	signal(SIGPIPE, SIG_IGN);
	ev_signal_init(&l->sighup, sighup_cb, SIGHUP);
	ev_signal_init(&l->sigterm, sigterm_cb, SIGTERM);
	ev_signal_init(&l->sigint, sigterm_cb, SIGINT);
	ev_signal_init(&l->sigusr2, sigusr2_cb, SIGUSR2);
	ev_child_init(&l->upgrade_child, upgrade_child_cb, 0, 0);
	l->sighup.data = l->sigterm.data = l->sigint.data = l->sigusr2.data = l->upgrade_child.data = l;
	ev_signal_start(l->loop, &l->sigusr2);
	ev_signal_start(l->loop, &l->sighup);
	ev_signal_start(l->loop, &l->sigterm);
	ev_signal_start(l->loop, &l->sigint);
	log_notice("lbd %s running: %d frontends, %d workers", VERSION, c->nfrontends, workers_count(l->workers));
	daemon_notify("READY=1");
	ev_run(l->loop, 0);
	rc = 0;
bad:
	handover_close(l->ho, 1);
	l->ho = NULL;
	for (int i = l->svc_started - 1; i >= 0; i--)
		if (l->svc[i]->stop)
			l->svc[i]->stop(l);
	l->svc_started = 0;
	workers_free(l->workers);
	l->workers = NULL;
	ctl_server_close(l->ctl);
	l->ctl = NULL;
	return rc ? rc : 0;
}
