/* spawn: run a shell command in the background on the daemon's loop and
 * report its exit; never blocks.  The child gets its own process group (so a
 * timeout kills everything it started), default signal handling and an empty
 * signal mask.  Used by track scripts and notify hooks. */
#ifndef VRRPD_SPAWN_H
#define VRRPD_SPAWN_H

struct ev_loop;
struct spawn;

/* status: as from waitpid(); -1 when the child was killed by spawn_kill. */
typedef void (*spawn_done_fn)(void *arg, int status);

/* Runs /bin/sh -c "CMD \"$@\"" with extra arguments (argv, NULL-terminated,
 * may be NULL).  Returns a handle or NULL (errno set).  The handle is freed
 * after done() returns. */
struct spawn *spawn_run(struct ev_loop *loop, const char *cmd, char *const *args,
			spawn_done_fn done, void *arg);
/* Kill the process group; done() still follows, with status -1.  The
 * caller may also detach: done is then not called. */
void spawn_kill(struct spawn *s);
void spawn_detach(struct spawn *s);

#endif
