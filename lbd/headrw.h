/* headrw: the heads lbd sends on, rebuilt from parsed ones.  Pure: parsed
 * head in, bytes out into the caller's buffer.
 *
 * Request to a server: hop-by-hop headers dropped (Connection, Keep-Alive,
 * Proxy-Connection, TE, Upgrade unless tunnelling, and every header the
 * Connection header names), X-Forwarded-For appended to (one header, the
 * client's values first), X-Forwarded-Proto set, Host kept.  An HTTP/1.0
 * request goes on as HTTP/1.0, for which Host is optional (RFC 9112 3.2):
 * one without Host is sent without it, as HAProxy does.
 * Response to a client: hop-by-hop headers dropped, `Connection: close`
 * added when lbd closes after it, `Connection: keep-alive` when it keeps an
 * HTTP/1.0 client that asked for it (RFC 9112 9.3), `Connection: Upgrade`
 * for a 101. */
#ifndef LBD_HEADRW_H
#define LBD_HEADRW_H

#include <stddef.h>

struct http1_request;
struct http1_response;

struct headrw_req {
	const char *client_ip;   /* for X-Forwarded-For; NULL = do not add */
	const char *proto;       /* X-Forwarded-Proto value; NULL = do not set */
	int tunnel;              /* forward Connection: Upgrade + Upgrade */
};

/* What the response says about the client connection. */
enum headrw_conn {
	HEADRW_KEEP = 0,        /* nothing: HTTP/1.1 keeps by default */
	HEADRW_CLOSE = 1,       /* Connection: close */
	HEADRW_KEEP_ALIVE = 2,  /* Connection: keep-alive, for an HTTP/1.0 client */
};

/* Length written, or -1 if it does not fit in cap. */
int headrw_request(const struct http1_request *r, const struct headrw_req *o, char *out, size_t cap);
int headrw_response(const struct http1_response *r, enum headrw_conn conn, int tunnel, char *out, size_t cap);

#endif
