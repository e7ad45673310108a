/* lbd: the process.  Owns the running configuration, the worker threads,
 * the control socket, signals and reloads, and the "services" that run
 * beside the data path on the main loop (health checker, stats page).
 *
 * Hook points for what runs beside the data path (health, stats, control):
 *   - lbd_service_add() before lbd_run(): start() is called once the first
 *     configuration is loaded, reload() after each successful reload (the
 *     new config is already current), stop() at exit.  All on the main loop.
 *   - lbd_ctl_register(): add a control-socket command ("show", "disable"..).
 *   - lbd_config_get(): the current configuration with a reference taken;
 *     drop it with model_config_unref().  From any thread.
 *   - lbd_alive(): 1 while every worker loop has run in the last max_age_ms
 *     (for /healthz). */
#ifndef LBD_LBD_H
#define LBD_LBD_H

#include <stddef.h>
#include <stdint.h>

struct buf;
struct ev_loop;
struct lbd;
struct lbd_config;

struct lbd_service {
	const char *name;
	int (*start)(struct lbd *l, struct lbd_config *cfg, char *err, size_t errlen);
	void (*reload)(struct lbd *l, struct lbd_config *cfg, struct lbd_config *old);
	void (*stop)(struct lbd *l);
};

/* Handler of one control command: argv[0] is the command.  Fill `reply`
 * with one JSON object, or return a negative errno with a message in it. */
typedef int (*lbd_ctl_fn)(struct lbd *l, void *arg, int argc, char **argv, struct buf *reply);

struct lbd *lbd_new(const char *conf_path, int foreground);
void lbd_free(struct lbd *l);

int lbd_service_add(struct lbd *l, const struct lbd_service *svc);
int lbd_ctl_register(struct lbd *l, const char *cmd, const char *help, lbd_ctl_fn fn, void *arg);

/* Load the config, start workers, services, the control socket; run until
 * SIGTERM/SIGINT and the grace period.  Returns the exit status. */
int lbd_run(struct lbd *l, char *err, size_t errlen);

/* Reload from the same file; 0, or negative errno with the reason in err
 * (the running config stays). */
int lbd_reload(struct lbd *l, char *err, size_t errlen);

struct lbd_config *lbd_config_get(struct lbd *l);
struct ev_loop *lbd_main_loop(struct lbd *l);
/* One JSON line to every "subscribe" client of the control socket; main loop only. */
void lbd_publish(struct lbd *l, const char *json_line);
int lbd_alive(struct lbd *l, uint64_t max_age_ms);

#endif
