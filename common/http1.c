/* http1: strict HTTP/1.1 head parsers and chunked decoder (see http1.h), shared by both daemons.
 * Every read is bounds-checked against `end`; the tests place the input
 * right before a PROT_NONE page to prove it. */
#include "http1.h"

#include <string.h>
#include <strings.h>

/* tchar (RFC 9110 5.6.2): the characters of a token. */
static const unsigned char tchar[256] = {
	['!'] = 1, ['#'] = 1, ['$'] = 1, ['%'] = 1, ['&'] = 1, ['\''] = 1, ['*'] = 1, ['+'] = 1,
	['-'] = 1, ['.'] = 1, ['^'] = 1, ['_'] = 1, ['`'] = 1, ['|'] = 1, ['~'] = 1,
	['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1, ['6'] = 1, ['7'] = 1,
	['8'] = 1, ['9'] = 1,
	['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1, ['E'] = 1, ['F'] = 1, ['G'] = 1, ['H'] = 1,
	['I'] = 1, ['J'] = 1, ['K'] = 1, ['L'] = 1, ['M'] = 1, ['N'] = 1, ['O'] = 1, ['P'] = 1,
	['Q'] = 1, ['R'] = 1, ['S'] = 1, ['T'] = 1, ['U'] = 1, ['V'] = 1, ['W'] = 1, ['X'] = 1,
	['Y'] = 1, ['Z'] = 1,
	['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1, ['g'] = 1, ['h'] = 1,
	['i'] = 1, ['j'] = 1, ['k'] = 1, ['l'] = 1, ['m'] = 1, ['n'] = 1, ['o'] = 1, ['p'] = 1,
	['q'] = 1, ['r'] = 1, ['s'] = 1, ['t'] = 1, ['u'] = 1, ['v'] = 1, ['w'] = 1, ['x'] = 1,
	['y'] = 1, ['z'] = 1,
};

/* field-value bytes: VCHAR, obs-text, SP, HTAB. */
static inline int field_byte(unsigned char c)
{
	return c == '\t' || (c >= 0x20 && c != 0x7f);
}

/* request-target bytes: visible ASCII only. */
static inline int target_byte(unsigned char c)
{
	return c > 0x20 && c < 0x7f;
}

#define FAIL(st, why) do { *status = (st); *reason = (why); return -1; } while (0)

/* ---- header fields (shared by requests and responses) ---------------------- */

struct head_sem {
	unsigned flags;
	uint64_t content_length;
	int host_idx;
	int te_seen, chunked_seen, host_count;
};

static int parse_content_length(const char *v, size_t n, uint64_t *out)
{
	uint64_t x = 0;
	if (n == 0 || n > 18)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (v[i] < '0' || v[i] > '9')
			return -1;
		x = x * 10 + (uint64_t)(v[i] - '0');
	}
	*out = x;
	return 0;
}

/* Transfer-Encoding: a list of codings, chunked last and once; others we
 * cannot decode are 501 (RFC 9112 6.1).  Empty list elements and any case
 * are allowed (RFC 9110 5.6.1, 9112 7): headrw sends the one canonical
 * "Transfer-Encoding: chunked" on, never the client's spelling.  A coding
 * that is not a token is malformed (400). */
static int sem_transfer_encoding(struct head_sem *s, const char *v, size_t n, int *status, const char **reason)
{
	size_t i = 0;
	int any = 0;
	while (i < n) {
		while (i < n && (v[i] == ' ' || v[i] == '\t' || v[i] == ','))
			i++;
		size_t st = i;
		while (i < n && tchar[(unsigned char)v[i]])
			i++;
		size_t tl = i - st;
		if (i < n && v[i] == ';')
			FAIL(400, "transfer-coding parameters");
		while (i < n && (v[i] == ' ' || v[i] == '\t'))
			i++;
		if (i < n && v[i] != ',')
			FAIL(400, "malformed Transfer-Encoding");
		if (tl == 0)
			continue;
		any = 1;
		int chunked = tl == 7 && strncasecmp(v + st, "chunked", 7) == 0;
		/* also across header lines: they are one list (RFC 9110 5.3) */
		if (s->chunked_seen)
			FAIL(400, chunked ? "chunked given twice" : "chunked is not the last transfer coding");
		if (chunked) {
			s->chunked_seen = 1;
		} else {
			FAIL(501, "transfer coding not implemented");
		}
	}
	if (!any)
		FAIL(400, "empty Transfer-Encoding");
	s->te_seen = 1;
	return 0;
}

static int sem_header(struct head_sem *s, const struct http1_header *h, int idx, int is_request, int *status,
		      const char **reason)
{
	switch (http1_header_kind(h->name, h->name_len)) {
	case HTTP1_H_CONTENT_LENGTH:
		if (s->flags & HTTP1_F_HAS_CL)
			FAIL(400, "repeated Content-Length");
		if (parse_content_length(h->value, h->value_len, &s->content_length))
			FAIL(400, "invalid Content-Length");
		s->flags |= HTTP1_F_HAS_CL;
		return 0;
	case HTTP1_H_TRANSFER_ENCODING:
		return sem_transfer_encoding(s, h->value, h->value_len, status, reason);
	case HTTP1_H_HOST:
		s->host_count++;
		s->host_idx = idx;
		return 0;
	case HTTP1_H_CONNECTION:
		for (size_t i = 0; i < h->value_len;) {
			while (i < h->value_len && (h->value[i] == ' ' || h->value[i] == '\t' || h->value[i] == ','))
				i++;
			size_t st = i;
			while (i < h->value_len && h->value[i] != ',' && h->value[i] != ' ' && h->value[i] != '\t')
				i++;
			size_t tl = i - st;
			if (tl == 0)
				continue;
			if (tl == 5 && strncasecmp(h->value + st, "close", 5) == 0)
				s->flags |= HTTP1_F_CONN_CLOSE;
			else if (tl == 10 && strncasecmp(h->value + st, "keep-alive", 10) == 0)
				s->flags |= HTTP1_F_CONN_KEEPALIVE;
			else if (tl == 7 && strncasecmp(h->value + st, "upgrade", 7) == 0)
				s->flags |= HTTP1_F_CONN_UPGRADE;
			else
				s->flags |= HTTP1_F_CONN_OTHER;
		}
		return 0;
	case HTTP1_H_UPGRADE:
		s->flags |= HTTP1_F_HAS_UPGRADE;
		if (http1_list_has(h->value, h->value_len, "websocket"))
			s->flags |= HTTP1_F_UPGRADE_WS;
		return 0;
	case HTTP1_H_EXPECT:
		if (!is_request)
			return 0;
		if (h->value_len == 12 && strncasecmp(h->value, "100-continue", 12) == 0)
			s->flags |= HTTP1_F_EXPECT_100;
		else
			FAIL(417, "unsupported expectation");
		return 0;
	default:
		return 0;
	}
}

/* Parse header lines from p up to and including the empty line.  Returns
 * the position after it, NULL for "need more" (*status = 0), or NULL with
 * *status set. */
static const char *parse_fields(const char *p, const char *end, struct http1_header *hs, int *nh,
				struct head_sem *s, int is_request, int *status, const char **reason)
{
	*status = 0;
	*nh = 0;
	for (;;) {
		if (p >= end)
			return NULL;
		if (*p == '\r') {
			if (p + 1 >= end)
				return NULL;
			if (p[1] != '\n') {
				*status = 400, *reason = "bare CR";
				return NULL;
			}
			return p + 2;
		}
		if (*p == '\n') {
			*status = 400, *reason = "bare LF line end";
			return NULL;
		}
		if (*p == ' ' || *p == '\t') {
			*status = 400, *reason = "obs-fold (line folding)";
			return NULL;
		}
		const char *name = p;
		while (p < end && tchar[(unsigned char)*p])
			p++;
		if (p >= end)
			return NULL;
		if (*p != ':') {
			*status = 400;
			*reason = (*p == ' ' || *p == '\t') ? "whitespace before colon" : "invalid header name";
			return NULL;
		}
		if (p == name) {
			*status = 400, *reason = "empty header name";
			return NULL;
		}
		if (*nh == HTTP1_MAX_HEADERS) {
			*status = 431, *reason = "too many header fields";
			return NULL;
		}
		struct http1_header *h = &hs[*nh];
		h->name = name;
		h->name_len = (uint32_t)(p - name);
		p++;
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		const char *val = p;
		while (p < end && field_byte((unsigned char)*p))
			p++;
		if (p >= end)
			return NULL;
		if (*p != '\r') {
			*status = 400;
			*reason = *p == '\n' ? "bare LF line end" : "control byte in header value";
			return NULL;
		}
		if (p + 1 >= end)
			return NULL;
		if (p[1] != '\n') {
			*status = 400, *reason = "bare CR";
			return NULL;
		}
		const char *vend = p;
		while (vend > val && (vend[-1] == ' ' || vend[-1] == '\t'))
			vend--;
		h->value = val;
		h->value_len = (uint32_t)(vend - val);
		p += 2;
		if (sem_header(s, h, *nh, is_request, status, reason))
			return NULL;
		(*nh)++;
	}
}

/* ---- requests ---------------------------------------------------------------------- */

static enum http1_method method_of(const char *m, size_t n)
{
	switch (n) {
	case 3:
		if (memcmp(m, "GET", 3) == 0) return HTTP1_M_GET;
		if (memcmp(m, "PUT", 3) == 0) return HTTP1_M_PUT;
		break;
	case 4:
		if (memcmp(m, "POST", 4) == 0) return HTTP1_M_POST;
		if (memcmp(m, "HEAD", 4) == 0) return HTTP1_M_HEAD;
		break;
	case 5:
		if (memcmp(m, "TRACE", 5) == 0) return HTTP1_M_TRACE;
		if (memcmp(m, "PATCH", 5) == 0) return HTTP1_M_PATCH;
		break;
	case 6:
		if (memcmp(m, "DELETE", 6) == 0) return HTTP1_M_DELETE;
		break;
	case 7:
		if (memcmp(m, "OPTIONS", 7) == 0) return HTTP1_M_OPTIONS;
		if (memcmp(m, "CONNECT", 7) == 0) return HTTP1_M_CONNECT;
		break;
	}
	return HTTP1_M_OTHER;
}

/* "HTTP/1.x" then CRLF; returns the position after, NULL need more / fail. */
static const char *parse_version(const char *p, const char *end, int *minor, int *status, const char **reason)
{
	static const char v[] = "HTTP/1.";
	for (int i = 0; i < 7; i++, p++) {
		if (p >= end)
			return NULL;
		if (*p != v[i]) {
			/* "HTTP/2.0" and friends are well-formed but not ours. */
			*status = (i == 5 && *p >= '2' && *p <= '9') ? 505 : 400;
			*reason = *status == 505 ? "HTTP version not supported" : "invalid HTTP version";
			return NULL;
		}
	}
	if (p >= end)
		return NULL;
	if (*p < '0' || *p > '9') {
		*status = 400, *reason = "invalid HTTP version";
		return NULL;
	}
	/* A higher minor version is read as the highest we know (RFC 9110 2.5). */
	*minor = *p++ == '0' ? 0 : 1;
	return p;
}

static int request_line(const char *p, const char *end, const struct http1_limits *lim,
			struct http1_request *r, const char **out)
{
	int *status = &r->status;
	const char **reason = &r->reason;
	const char *m = p;
	while (p < end && tchar[(unsigned char)*p])
		p++;
	if (p >= end)
		return -2;
	if (*p != ' ' || p == m)
		FAIL(400, p == m ? "invalid method" : "invalid method or separator");
	r->method = m;
	r->method_len = (uint32_t)(p - m);
	r->meth = method_of(m, r->method_len);
	p++;
	const char *t = p;
	while (p < end && target_byte((unsigned char)*p)) {
		p++;
		if ((uint32_t)(p - t) > lim->max_uri)
			FAIL(414, "request target over the limit");
	}
	if (p >= end)
		return -2;
	if (*p != ' ' || p == t)
		FAIL(400, p == t ? "empty request target" : "invalid byte in request target");
	r->target = t;
	r->target_len = (uint32_t)(p - t);
	p++;
	p = parse_version(p, end, &r->minor, status, reason);
	if (!p)
		return r->status ? -1 : -2;
	if (p >= end || (*p == '\r' && p + 1 >= end))
		return -2;
	if (p[0] != '\r' || p[1] != '\n')
		FAIL(400, "invalid request line end");
	*out = p + 2;
	return 0;
}

/* Forms of request-target (RFC 9112 3.2) against the method. */
static int check_target(struct http1_request *r)
{
	int *status = &r->status;
	const char **reason = &r->reason;
	if (r->meth == HTTP1_M_CONNECT)
		FAIL(501, "CONNECT not implemented");
	if (r->target[0] == '/')
		return 0;
	if (r->target_len == 1 && r->target[0] == '*') {
		if (r->meth != HTTP1_M_OPTIONS)
			FAIL(400, "asterisk-form outside OPTIONS");
		return 0;
	}
	if ((r->target_len > 7 && strncasecmp(r->target, "http://", 7) == 0) ||
	    (r->target_len > 8 && strncasecmp(r->target, "https://", 8) == 0))
		return 0;
	FAIL(400, "invalid request target form");
}

int http1_parse_request(const char *buf, size_t len, const struct http1_limits *lim, struct http1_request *r)
{
	const char *p = buf, *end = buf + len;
	int *status = &r->status;
	const char **reason = &r->reason;
	struct head_sem s = { .host_idx = -1 };

	r->status = 0;
	r->reason = NULL;
	/* A server should ignore empty lines before the request line (RFC 9112 2.2). */
	while (p < end && *p == '\r') {
		if (p + 1 >= end)
			goto need_more;
		if (p[1] != '\n')
			FAIL(400, "bare CR");
		p += 2;
	}
	if (p < end && *p == '\n')
		FAIL(400, "bare LF line end");
	int rc = request_line(p, end, lim, r, &p);
	if (rc == -1)
		return -1;
	if (rc == -2)
		goto need_more;
	p = parse_fields(p, end, r->headers, &r->nheaders, &s, 1, status, reason);
	if (!p) {
		if (*status)
			return -1;
		goto need_more;
	}
	if ((size_t)(p - buf) > lim->max_head)
		FAIL(431, "request head over the limit");
	if (check_target(r))
		return -1;
	if (s.te_seen && (s.flags & HTTP1_F_HAS_CL))
		FAIL(400, "Content-Length with Transfer-Encoding");
	if (s.te_seen && r->minor == 0)
		FAIL(400, "Transfer-Encoding in HTTP/1.0");
	if (s.host_count > 1)
		FAIL(400, "repeated Host");
	if (s.host_count == 0 && r->minor == 1)
		FAIL(400, "missing Host");
	if (s.host_idx >= 0 && r->headers[s.host_idx].value_len == 0 && r->minor == 1 && r->target[0] == '/')
		FAIL(400, "empty Host");
	r->flags = s.flags | (s.chunked_seen ? HTTP1_F_CHUNKED : 0);
	r->content_length = s.content_length;
	r->host_idx = s.host_idx;
	return (int)(p - buf);
need_more:
	if (len >= lim->max_head)
		FAIL(431, "request head over the limit");
	return -2;
}

/* ---- responses -------------------------------------------------------------------------- */

int http1_parse_response(const char *buf, size_t len, uint32_t max_head, struct http1_response *r)
{
	const char *p = buf, *end = buf + len;
	int st = 0;
	int *status = &st;
	const char **reason = &r->reason;
	struct head_sem s = { .host_idx = -1 };

	r->reason = NULL;
	p = parse_version(p, end, &r->minor, status, reason);
	if (!p) {
		if (st)
			return -1;
		goto need_more;
	}
	if (end - p < 5)
		goto need_more;
	if (p[0] != ' ' || p[1] < '1' || p[1] > '5' || p[2] < '0' || p[2] > '9' || p[3] < '0' || p[3] > '9')
		FAIL(502, "invalid status line");
	r->status = (p[1] - '0') * 100 + (p[2] - '0') * 10 + (p[3] - '0');
	p += 4;
	if (*p == ' ') {
		p++;
		r->reason_phrase = p;
		while (p < end && field_byte((unsigned char)*p))
			p++;
		r->reason_len = (uint32_t)(p - r->reason_phrase);
	} else {
		r->reason_phrase = p;
		r->reason_len = 0;
	}
	if (p >= end || (*p == '\r' && p + 1 >= end))
		goto need_more;
	if (p[0] != '\r' || p[1] != '\n')
		FAIL(502, "invalid status line end");
	p += 2;
	p = parse_fields(p, end, r->headers, &r->nheaders, &s, 0, status, reason);
	if (!p) {
		if (st)
			return -1;
		goto need_more;
	}
	if ((size_t)(p - buf) > max_head)
		FAIL(502, "response head over the limit");
	if (s.te_seen && (s.flags & HTTP1_F_HAS_CL))
		FAIL(502, "Content-Length with Transfer-Encoding");
	r->flags = s.flags | (s.chunked_seen ? HTTP1_F_CHUNKED : 0);
	r->content_length = s.content_length;
	return (int)(p - buf);
need_more:
	if (len >= max_head)
		FAIL(502, "response head over the limit");
	return -2;
}

/* ---- helpers ------------------------------------------------------------------------------ */

enum http1_hkind http1_header_kind(const char *n, size_t len)
{
	/* Dispatch on length first: most headers are rejected by one compare. */
	switch (len) {
	case 2:
		if (strncasecmp(n, "te", 2) == 0) return HTTP1_H_TE;
		break;
	case 4:
		if (strncasecmp(n, "host", 4) == 0) return HTTP1_H_HOST;
		break;
	case 6:
		if (strncasecmp(n, "expect", 6) == 0) return HTTP1_H_EXPECT;
		break;
	case 7:
		if (strncasecmp(n, "upgrade", 7) == 0) return HTTP1_H_UPGRADE;
		if (strncasecmp(n, "trailer", 7) == 0) return HTTP1_H_TRAILER;
		break;
	case 10:
		if (strncasecmp(n, "connection", 10) == 0) return HTTP1_H_CONNECTION;
		if (strncasecmp(n, "keep-alive", 10) == 0) return HTTP1_H_KEEP_ALIVE;
		break;
	case 14:
		if (strncasecmp(n, "content-length", 14) == 0) return HTTP1_H_CONTENT_LENGTH;
		break;
	case 15:
		if (strncasecmp(n, "x-forwarded-for", 15) == 0) return HTTP1_H_X_FORWARDED_FOR;
		break;
	case 16:
		if (strncasecmp(n, "proxy-connection", 16) == 0) return HTTP1_H_PROXY_CONNECTION;
		break;
	case 17:
		if (strncasecmp(n, "transfer-encoding", 17) == 0) return HTTP1_H_TRANSFER_ENCODING;
		if (strncasecmp(n, "x-forwarded-proto", 17) == 0) return HTTP1_H_X_FORWARDED_PROTO;
		break;
	}
	return HTTP1_H_OTHER;
}

int http1_list_has(const char *v, size_t n, const char *token)
{
	size_t tl = strlen(token);
	for (size_t i = 0; i < n;) {
		while (i < n && (v[i] == ' ' || v[i] == '\t' || v[i] == ','))
			i++;
		size_t st = i;
		while (i < n && v[i] != ',')
			i++;
		size_t e = i;
		while (e > st && (v[e - 1] == ' ' || v[e - 1] == '\t'))
			e--;
		if (e - st == tl && strncasecmp(v + st, token, tl) == 0)
			return 1;
	}
	return 0;
}

int http1_method_idempotent(enum http1_method m)
{
	return m == HTTP1_M_GET || m == HTTP1_M_HEAD || m == HTTP1_M_PUT || m == HTTP1_M_DELETE ||
	       m == HTTP1_M_OPTIONS || m == HTTP1_M_TRACE;
}

const char *http1_status_text(int status)
{
	switch (status) {
	case 100: return "Continue";
	case 101: return "Switching Protocols";
	case 200: return "OK";
	case 400: return "Bad Request";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 408: return "Request Timeout";
	case 413: return "Content Too Large";
	case 414: return "URI Too Long";
	case 417: return "Expectation Failed";
	case 431: return "Request Header Fields Too Large";
	case 500: return "Internal Server Error";
	case 501: return "Not Implemented";
	case 502: return "Bad Gateway";
	case 503: return "Service Unavailable";
	case 504: return "Gateway Timeout";
	case 505: return "HTTP Version Not Supported";
	default: return "Unknown";
	}
}

/* ---- chunked ------------------------------------------------------------------------------- */

enum chunk_state {
	CK_SIZE0,     /* first hex digit of a chunk size */
	CK_SIZE,      /* more hex digits */
	CK_EXT,       /* chunk extension up to CR */
	CK_SIZE_LF,   /* LF after the size line */
	CK_DATA,
	CK_DATA_CR,
	CK_DATA_LF,
	CK_TRAILER0,  /* start of a trailer line or the final CRLF */
	CK_TRAILER_NAME, /* trailer field name up to the colon */
	CK_TRAILER,   /* trailer field value */
	CK_TRAILER_LF,
	CK_END_LF,    /* LF of the final empty line */
	CK_DONE,
	CK_BAD,
};

#define CK_MAX_LINE 4096      /* size line with extensions */
#define CK_MAX_TRAILERS 16384

void http1_chunked_init(struct http1_chunked *c)
{
	memset(c, 0, sizeof(*c));
	c->state = CK_SIZE0;
}

uint64_t http1_chunked_data_left(const struct http1_chunked *c)
{
	return c->state == CK_DATA ? c->remaining : 0;
}

void http1_chunked_skip(struct http1_chunked *c, uint64_t n)
{
	if (c->state != CK_DATA || n > c->remaining)
		return;
	c->remaining -= n;
	if (c->remaining == 0)
		c->state = CK_DATA_CR;
}

static int hexval(unsigned char ch)
{
	if (ch >= '0' && ch <= '9') return ch - '0';
	if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
	return -1;
}

static int ck_bad(struct http1_chunked *c, const char *why)
{
	c->state = CK_BAD;
	c->reason = why;
	return -1;
}

/* Trailer names refused (see http1.h); the name is complete, at its colon. */
static int ck_trailer_refused(const struct http1_chunked *c)
{
	if (c->tname_len > sizeof(c->tname))
		return 0; /* longer than any refused name */
	return http1_header_kind(c->tname, c->tname_len) != HTTP1_H_OTHER; /* each known one matters */
}

/* Ends a size line: chunk data next, or the trailer section for size 0. */
static void ck_size_done(struct http1_chunked *c)
{
	c->state = c->remaining ? CK_DATA : CK_TRAILER0;
	c->line_len = 0;
}

int http1_chunked_feed(struct http1_chunked *c, const char *buf, size_t len, size_t *used)
{
	size_t i = 0;
	while (i < len) {
		unsigned char ch = (unsigned char)buf[i];
		int h;
		switch (c->state) {
		case CK_SIZE0:
			if ((h = hexval(ch)) < 0)
				return ck_bad(c, "invalid chunk size");
			c->remaining = (uint64_t)h;
			c->state = CK_SIZE;
			c->line_len = 1;
			i++;
			break;
		case CK_SIZE:
			if ((h = hexval(ch)) >= 0) {
				if (c->remaining >> 56)
					return ck_bad(c, "chunk size too large");
				c->remaining = c->remaining << 4 | (uint64_t)h;
				i++;
			} else if (ch == ';') {
				c->state = CK_EXT;
				i++;
			} else if (ch == '\r') {
				c->state = CK_SIZE_LF;
				i++;
			} else {
				return ck_bad(c, "invalid chunk size");
			}
			if (++c->line_len > CK_MAX_LINE)
				return ck_bad(c, "chunk size line too long");
			break;
		case CK_EXT:
			if (ch == '\r')
				c->state = CK_SIZE_LF;
			else if (!field_byte(ch))
				return ck_bad(c, "invalid chunk extension");
			if (++c->line_len > CK_MAX_LINE)
				return ck_bad(c, "chunk extension too long");
			i++;
			break;
		case CK_SIZE_LF:
			if (ch != '\n')
				return ck_bad(c, "bare CR in chunk size line");
			ck_size_done(c);
			i++;
			break;
		case CK_DATA: {
			uint64_t n = len - i;
			if (n > c->remaining)
				n = c->remaining;
			i += n;
			c->remaining -= n;
			if (c->remaining == 0)
				c->state = CK_DATA_CR;
			break;
		}
		case CK_DATA_CR:
			if (ch != '\r')
				return ck_bad(c, "chunk data longer than its size");
			c->state = CK_DATA_LF;
			i++;
			break;
		case CK_DATA_LF:
			if (ch != '\n')
				return ck_bad(c, "bare CR after chunk data");
			c->state = CK_SIZE0;
			i++;
			break;
		case CK_TRAILER0:
			if (ch == '\r') {
				c->state = CK_END_LF;
			} else if (tchar[ch]) {
				c->state = CK_TRAILER_NAME;
				c->tname[0] = (char)ch;
				c->tname_len = 1;
			} else {
				return ck_bad(c, "invalid trailer field");
			}
			if (++c->trailer_len > CK_MAX_TRAILERS)
				return ck_bad(c, "trailer section too long");
			i++;
			break;
		case CK_TRAILER_NAME:
			if (ch == ':') {
				if (ck_trailer_refused(c))
					return ck_bad(c, "trailer field not allowed (framing, routing or hop-by-hop)");
				c->state = CK_TRAILER;
			} else if (!tchar[ch]) {
				return ck_bad(c, "invalid trailer field name");
			} else if (c->tname_len <= sizeof(c->tname)) {
				if (c->tname_len < sizeof(c->tname))
					c->tname[c->tname_len] = (char)ch;
				c->tname_len++;
			}
			if (++c->trailer_len > CK_MAX_TRAILERS)
				return ck_bad(c, "trailer section too long");
			i++;
			break;
		case CK_TRAILER:
			if (ch == '\r')
				c->state = CK_TRAILER_LF;
			else if (!field_byte(ch))
				return ck_bad(c, "invalid byte in trailer field");
			if (++c->trailer_len > CK_MAX_TRAILERS)
				return ck_bad(c, "trailer section too long");
			i++;
			break;
		case CK_TRAILER_LF:
			if (ch != '\n')
				return ck_bad(c, "bare CR in trailer");
			c->state = CK_TRAILER0;
			i++;
			break;
		case CK_END_LF:
			if (ch != '\n')
				return ck_bad(c, "bare CR at the end of the chunked body");
			c->state = CK_DONE;
			*used = i + 1;
			return 1;
		case CK_DONE:
			*used = i;
			return 1;
		default:
			return ck_bad(c, c->reason ? c->reason : "invalid chunked body");
		}
	}
	*used = i;
	return c->state == CK_DONE ? 1 : 0;
}
