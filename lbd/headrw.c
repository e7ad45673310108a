/* headrw: rebuild request and response heads (see headrw.h). */
#include "headrw.h"

#include <string.h>
#include <strings.h>

#include "http1.h"

struct out {
	char *p;
	size_t len, cap;
	int overflow;
};

static void put(struct out *o, const char *s, size_t n)
{
	if (o->len + n > o->cap) {
		o->overflow = 1;
		return;
	}
	memcpy(o->p + o->len, s, n);
	o->len += n;
}

static void puts_(struct out *o, const char *s)
{
	put(o, s, strlen(s));
}

/* Connection headers of the head: names listed there are hop-by-hop too. */
struct conn_list {
	const struct http1_header *hs;
	int nh;
	int any;  /* HTTP1_F_CONN_OTHER: a Connection value names something else */
};

/* Is h named in a Connection value?  Every token of every Connection line
 * counts, however many there are. */
static int named_in_connection(const struct conn_list *cl, const struct http1_header *h)
{
	for (int i = 0; cl->any && i < cl->nh; i++) {
		if (http1_header_kind(cl->hs[i].name, cl->hs[i].name_len) != HTTP1_H_CONNECTION)
			continue;
		const char *v = cl->hs[i].value;
		size_t len = cl->hs[i].value_len;
		for (size_t k = 0; k < len;) {
			while (k < len && (v[k] == ' ' || v[k] == '\t' || v[k] == ','))
				k++;
			size_t st = k;
			while (k < len && v[k] != ',' && v[k] != ' ' && v[k] != '\t')
				k++;
			if (k - st == h->name_len && strncasecmp(v + st, h->name, h->name_len) == 0)
				return 1;
		}
	}
	return 0;
}

/* Should this header go on?  Framing and Host are never dropped, whatever
 * Connection says (that would change how the message is read). */
static int keep_header(const struct http1_header *h, const struct conn_list *tk, int tunnel, enum http1_hkind *kind)
{
	*kind = http1_header_kind(h->name, h->name_len);
	switch (*kind) {
	case HTTP1_H_CONNECTION:
	case HTTP1_H_KEEP_ALIVE:
	case HTTP1_H_PROXY_CONNECTION:
	case HTTP1_H_TE:
		return 0;
	case HTTP1_H_UPGRADE:
		return tunnel;
	case HTTP1_H_CONTENT_LENGTH:
	case HTTP1_H_TRANSFER_ENCODING: /* sent as "chunked" by put_header_kept() */
	case HTTP1_H_HOST:
		return 1;
	default:
		return !named_in_connection(tk, h);
	}
}

static void put_header(struct out *o, const struct http1_header *h)
{
	put(o, h->name, h->name_len);
	put(o, ": ", 2);
	put(o, h->value, h->value_len);
	put(o, "\r\n", 2);
}

/* A kept header, except that the first Transfer-Encoding becomes the
 * canonical "Transfer-Encoding: chunked" and any more are dropped: the
 * parser accepted nothing but chunked (flags), however it was spelt. */
static void put_header_kept(struct out *o, const struct http1_header *h, enum http1_hkind kind, unsigned flags,
			    int *te_done)
{
	if (kind != HTTP1_H_TRANSFER_ENCODING) {
		put_header(o, h);
		return;
	}
	if (!*te_done && (flags & HTTP1_F_CHUNKED))
		puts_(o, "Transfer-Encoding: chunked\r\n");
	*te_done = 1;
}

int headrw_request(const struct http1_request *r, const struct headrw_req *opt, char *buf, size_t cap)
{
	struct out o = { buf, 0, cap, 0 };
	const struct conn_list tk = { r->headers, r->nheaders, !!(r->flags & HTTP1_F_CONN_OTHER) };
	int xff_done = 0, te_done = 0;

	put(&o, r->method, r->method_len);
	put(&o, " ", 1);
	put(&o, r->target, r->target_len);
	/* An HTTP/1.0 client gets an HTTP/1.0 exchange end to end, so the
	 * server never answers it with chunked. */
	puts_(&o, r->minor ? " HTTP/1.1\r\n" : " HTTP/1.0\r\n");
	for (int i = 0; i < r->nheaders; i++) {
		const struct http1_header *h = &r->headers[i];
		enum http1_hkind kind;
		if (!keep_header(h, &tk, opt->tunnel, &kind))
			continue;
		if (kind == HTTP1_H_X_FORWARDED_PROTO && opt->proto)
			continue;
		if (kind == HTTP1_H_X_FORWARDED_FOR && opt->client_ip) {
			if (xff_done)
				continue;
			/* All the client's X-Forwarded-For values, in order, in one header. */
			put(&o, h->name, h->name_len);
			put(&o, ": ", 2);
			int first = 1;
			for (int j = i; j < r->nheaders; j++) {
				const struct http1_header *x = &r->headers[j];
				if (http1_header_kind(x->name, x->name_len) != HTTP1_H_X_FORWARDED_FOR || !x->value_len)
					continue;
				if (!first)
					put(&o, ", ", 2);
				put(&o, x->value, x->value_len);
				first = 0;
			}
			if (!first)
				put(&o, ", ", 2);
			puts_(&o, opt->client_ip);
			put(&o, "\r\n", 2);
			xff_done = 1;
			continue;
		}
		put_header_kept(&o, h, kind, r->flags, &te_done);
	}
	if (opt->client_ip && !xff_done) {
		puts_(&o, "X-Forwarded-For: ");
		puts_(&o, opt->client_ip);
		put(&o, "\r\n", 2);
	}
	if (opt->proto) {
		puts_(&o, "X-Forwarded-Proto: ");
		puts_(&o, opt->proto);
		put(&o, "\r\n", 2);
	}
	if (opt->tunnel)
		puts_(&o, "Connection: Upgrade\r\n");
	else if (!r->minor)
		puts_(&o, "Connection: close\r\n");
	put(&o, "\r\n", 2);
	return o.overflow ? -1 : (int)o.len;
}

int headrw_response(const struct http1_response *r, enum headrw_conn conn, int tunnel, char *buf, size_t cap)
{
	struct out o = { buf, 0, cap, 0 };
	const struct conn_list tk = { r->headers, r->nheaders, !!(r->flags & HTTP1_F_CONN_OTHER) };
	char status[16];
	int te_done = 0;

	puts_(&o, r->minor ? "HTTP/1.1 " : "HTTP/1.0 ");
	status[0] = (char)('0' + r->status / 100);
	status[1] = (char)('0' + r->status / 10 % 10);
	status[2] = (char)('0' + r->status % 10);
	status[3] = ' ';
	put(&o, status, 4);
	put(&o, r->reason_phrase, r->reason_len);
	put(&o, "\r\n", 2);
	for (int i = 0; i < r->nheaders; i++) {
		enum http1_hkind kind;
		if (keep_header(&r->headers[i], &tk, tunnel, &kind))
			put_header_kept(&o, &r->headers[i], kind, r->flags, &te_done);
	}
	if (tunnel)
		puts_(&o, "Connection: Upgrade\r\n");
	else if (conn == HEADRW_CLOSE)
		puts_(&o, "Connection: close\r\n");
	else if (conn == HEADRW_KEEP_ALIVE)
		puts_(&o, "Connection: keep-alive\r\n");
	put(&o, "\r\n", 2);
	return o.overflow ? -1 : (int)o.len;
}
