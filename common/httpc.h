/* httpc: one small HTTP/1 client exchange on a libev loop, for health
 * checks (lbd's server checks, vrrpd's HTTP tracker).
 *
 *   non-blocking connect -> send the request bytes -> read the answer's head
 *   (common/http1, 1xx heads skipped) -> optionally its body, looking for a
 *   string -> one result through a callback.
 *
 * One deadline covers the whole exchange; it says whether the time ran out
 * while connecting or while waiting for the answer.  The verdict on the bytes
 * received (httpc_judge) is pure, so it is unit-tested and fuzzed apart from
 * the sockets.  The status is reported, not judged: what is expected is
 * the caller's business (lbd: ranges, vrrpd: one code or any 2xx).
 *
 * Bytes move by send(2)/recv(2) unless the request gives an I/O hook
 * (struct httpc_io: lbd's checks of a server it speaks TLS to); httpc then
 * waits for whichever readiness the hook asks for.  httpc itself links no
 * TLS: vrrpd's tracker stays plain and small. */
#ifndef COMMON_HTTPC_H
#define COMMON_HTTPC_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct addr;
struct ev_loop;
struct httpc;

/* The most of the answer kept: its head, then as much of the body as fits
 * (what a body string is looked for in). */
#define HTTPC_MAX_RESPONSE 4096

enum httpc_result {
	HTTPC_OK,            /* a valid answer head; its status in .status */
	HTTPC_REFUSED,       /* the connect failed (refused, unreachable) */
	HTTPC_CONN_TIMEOUT,  /* the deadline passed while connecting */
	HTTPC_RESP_TIMEOUT,  /* connected, but no whole answer in time */
	HTTPC_BAD_RESPONSE,  /* not an HTTP/1 answer, or closed before its head ended */
	HTTPC_BODY_MISMATCH, /* the head was fine, the body lacks the string asked for */
	HTTPC_RESET,         /* connected, then send or recv failed (err says why) */
	HTTPC_SOCKET_ERROR,  /* no socket, no memory, request too large: nothing sent */
	HTTPC_RESULT_COUNT
};
extern const char *const httpc_result_names[HTTPC_RESULT_COUNT];

enum httpc_want { HTTPC_WANT_READ = 1, HTTPC_WANT_WRITE = 2 };

/* An I/O hook over the connecting socket (a TLS session: its handshake runs
 * inside the first send and recv). */
struct httpc_io {
	/* Wrap fd (connecting); the connection's state, or NULL (errno set). */
	void *(*open)(void *arg, int fd);
	/* As send(2)/recv(2): >0 bytes, 0 EOF (recv), -1 with errno; with
	 * EAGAIN *want says which readiness to wait for. */
	ssize_t (*send)(void *conn, const void *buf, size_t len, enum httpc_want *want);
	ssize_t (*recv)(void *conn, void *buf, size_t len, enum httpc_want *want);
	/* Releases conn and closes fd. */
	void (*close)(void *conn);
};

struct httpc_request {
	const char *bytes;     /* the whole request (see httpc_format_get); copied */
	size_t len;
	uint32_t timeout_ms;   /* connect + answer, in all */
	const char *body_has;  /* NULL, or a string the answer's body must contain */
	const struct httpc_io *io; /* NULL: plain send(2)/recv(2) */
	void *io_arg;          /* io->open's arg; must outlive the exchange */
};

struct httpc_outcome {
	enum httpc_result result;
	int status;            /* the HTTP status when a head was read, else 0 */
	int err;               /* errno for REFUSED / RESET / SOCKET_ERROR, else 0 */
	uint32_t duration_us;  /* from the start to the result */
};

typedef void (*httpc_done_fn)(void *arg, const struct httpc_outcome *o);

/* "METHOD PATH HTTP/1.1" with Host: host and Connection: close, or, host NULL
 * or "", HTTP/1.0 without Host (what any server takes); then User-Agent: ua
 * and Accept: star/star.  Its length, or -1 if it does not fit in out. */
int httpc_format_get(char *out, size_t outlen, const char *method, const char *path, const char *host,
		     const char *ua);

/* What the len bytes received so far say (pure; reads buf[0..len) only):
 * -2 while more are needed, else an enum httpc_result (HTTPC_OK,
 * HTTPC_BAD_RESPONSE or HTTPC_BODY_MISMATCH) with *status set when a head was
 * read.  eof: the server closed after these bytes.  An answer over
 * HTTPC_MAX_RESPONSE bytes is judged on its first HTTPC_MAX_RESPONSE. */
int httpc_judge(const char *buf, size_t len, int eof, const char *body_has, int *status);

/* Starts one exchange with `to`; `done` is called exactly once, later, from
 * the loop (never from inside httpc_start), after which the exchange is
 * gone.  NULL only when out of memory. */
struct httpc *httpc_start(struct ev_loop *loop, const struct addr *to, const struct httpc_request *req,
			  httpc_done_fn done, void *arg);
/* Stops an exchange in flight without calling done; NULL is fine. */
void httpc_cancel(struct httpc *c);
/* Takes what the socket has now, for a caller whose own deadline fired
 * first (a late loop turn runs timers before socket watchers).  Returns 1
 * when the exchange ended: done was called, from inside httpc_poll, and the
 * exchange is gone; else 0. */
int httpc_poll(struct httpc *c);

#endif
