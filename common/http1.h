/* http1: strict HTTP/1.1 message-head parsers (RFC 9112) and a chunked
 * transfer-coding decoder.  Pure functions in the picohttpparser manner:
 * bytes in; the head length, -2 (need more bytes) or -1 (invalid, with the
 * status to answer and a reason for the log) out.  No allocation: names and
 * values point into the caller's buffer.
 *
 * What is refused (never forwarded): bare CR, bare LF line ends, obs-fold,
 * whitespace before a colon, control bytes, repeated or malformed
 * Content-Length, Content-Length with Transfer-Encoding, Transfer-Encoding
 * whose last coding is not chunked (over all its lines), chunked given
 * twice, a coding that is not a token, framing or hop-by-hop trailer
 * fields (http1_chunked_feed), a missing or
 * repeated Host in HTTP/1.1, invalid methods/targets/versions, heads over
 * the limit (431), targets over the limit (414). */
#ifndef LBD_HTTP1_H
#define LBD_HTTP1_H

#include <stddef.h>
#include <stdint.h>

#define HTTP1_MAX_HEADERS 100

struct http1_header {
	const char *name, *value;
	uint32_t name_len, value_len;
};

enum {
	HTTP1_F_CHUNKED = 1 << 0,        /* Transfer-Encoding: chunked */
	HTTP1_F_CONN_CLOSE = 1 << 1,     /* Connection: close */
	HTTP1_F_CONN_KEEPALIVE = 1 << 2, /* Connection: keep-alive */
	HTTP1_F_CONN_UPGRADE = 1 << 3,   /* Connection: upgrade */
	HTTP1_F_UPGRADE_WS = 1 << 4,     /* Upgrade: websocket */
	HTTP1_F_EXPECT_100 = 1 << 5,     /* Expect: 100-continue */
	HTTP1_F_HAS_CL = 1 << 6,         /* Content-Length given */
	HTTP1_F_CONN_OTHER = 1 << 7,     /* Connection names other headers (hop-by-hop) */
	HTTP1_F_HAS_UPGRADE = 1 << 8,    /* an Upgrade header, of any protocol */
};

/* Which well-known header a header is (from http1_header_kind()). */
enum http1_hkind {
	HTTP1_H_OTHER = 0,
	HTTP1_H_CONTENT_LENGTH,
	HTTP1_H_TRANSFER_ENCODING,
	HTTP1_H_HOST,
	HTTP1_H_CONNECTION,
	HTTP1_H_UPGRADE,
	HTTP1_H_EXPECT,
	HTTP1_H_KEEP_ALIVE,
	HTTP1_H_PROXY_CONNECTION,
	HTTP1_H_TE,
	HTTP1_H_TRAILER,
	HTTP1_H_X_FORWARDED_FOR,
	HTTP1_H_X_FORWARDED_PROTO,
};

enum http1_method {
	HTTP1_M_OTHER = 0,
	HTTP1_M_GET,
	HTTP1_M_HEAD,
	HTTP1_M_POST,
	HTTP1_M_PUT,
	HTTP1_M_DELETE,
	HTTP1_M_OPTIONS,
	HTTP1_M_TRACE,
	HTTP1_M_CONNECT,
	HTTP1_M_PATCH,
};

struct http1_limits {
	uint32_t max_head; /* whole head incl. request line (431 beyond) */
	uint32_t max_uri;  /* request-target (414 beyond) */
};

struct http1_request {
	const char *method, *target;
	uint32_t method_len, target_len;
	enum http1_method meth;
	int minor;                   /* HTTP/1.<minor>: 0 or 1 */
	struct http1_header headers[HTTP1_MAX_HEADERS];
	int nheaders;
	uint64_t content_length;     /* valid with HTTP1_F_HAS_CL */
	unsigned flags;
	int host_idx;                /* index of Host in headers, -1 if none */
	/* On -1: the status to answer and why (a static string). */
	int status;
	const char *reason;
};

struct http1_response {
	int minor;
	int status;
	const char *reason_phrase;
	uint32_t reason_len;
	struct http1_header headers[HTTP1_MAX_HEADERS];
	int nheaders;
	uint64_t content_length;
	unsigned flags;
	const char *reason;          /* on -1 */
};

/* Returns the head length (request line + headers + empty line, plus any
 * empty lines before the request line), -2, or -1 with status/reason set. */
int http1_parse_request(const char *buf, size_t len, const struct http1_limits *lim,
			struct http1_request *req);
/* Same for a response head (a 1xx head is returned like any other). */
int http1_parse_response(const char *buf, size_t len, uint32_t max_head, struct http1_response *resp);

enum http1_hkind http1_header_kind(const char *name, size_t len);
/* Case-insensitive search of `token` in a comma-separated list value. */
int http1_list_has(const char *value, size_t len, const char *token);
/* GET, HEAD, PUT, DELETE, OPTIONS, TRACE: may be sent again (RFC 9110 9.2.2). */
int http1_method_idempotent(enum http1_method m);
const char *http1_status_text(int status);

/* ---- chunked transfer coding ------------------------------------------------- */

struct http1_chunked {
	int state;           /* private: see http1.c */
	uint64_t remaining;  /* data bytes left in the current chunk (when in data) */
	uint32_t line_len;   /* bytes of the current size/ext/trailer line */
	uint32_t trailer_len;
	uint32_t tname_len;  /* the trailer field name being read, */
	char tname[24];      /* kept while it could be one we refuse */
	const char *reason;  /* on -1 */
};

void http1_chunked_init(struct http1_chunked *c);
/* Feeds a piece of the body.  Returns 1 when the message ends (*used is
 * where, the rest belongs to the next message), 0 when all of it was used
 * and more is needed, -1 when it is invalid.  The bytes are forwarded as they
 * are: this only finds the framing.  A trailer field that framing, routing
 * or the connection depends on (Content-Length, Transfer-Encoding, Host,
 * Connection and the other hop-by-hop fields, Trailer, Expect,
 * X-Forwarded-For/-Proto) is invalid: a recipient that merges trailers into
 * the head must never see one (RFC 9110 6.5.1). */
int http1_chunked_feed(struct http1_chunked *c, const char *buf, size_t len, size_t *used);
/* In the middle of chunk data: how many bytes may be moved without looking
 * at them (e.g. with splice), and tell the decoder they were. */
uint64_t http1_chunked_data_left(const struct http1_chunked *c);
void http1_chunked_skip(struct http1_chunked *c, uint64_t n);

#endif
