#include "addr.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int addr_fail(char *err, size_t errlen, const char *what, const char *s)
{
	snprintf(err, errlen, "expected %s, got '%s'", what, s);
	return -EINVAL;
}

static int addr_parse_port(const char *p, int *port)
{
	char *end;
	if (*p < '0' || *p > '9')
		return -1;
	long v = strtol(p, &end, 10);
	if (*end || v < 0 || v > 65535)
		return -1;
	*port = (int)v;
	return 0;
}

static int addr_set_ip(const char *host, struct addr *out)
{
	struct sockaddr_in *in = (struct sockaddr_in *)&out->ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&out->ss;

	memset(out, 0, sizeof(*out));
	if (inet_pton(AF_INET, host, &in->sin_addr) == 1) {
		in->sin_family = AF_INET;
		out->len = sizeof(*in);
		return 0;
	}
	if (inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		out->len = sizeof(*in6);
		return 0;
	}
	return -1;
}

int addr_parse(const char *s, int flags, struct addr *out, char *err, size_t errlen)
{
	const char *what = (flags & ADDR_PORT_NONE) ? "an IP address"
			   : (flags & ADDR_WILDCARD) ? "an address like *:80, 192.0.2.1:80 or [2001:db8::1]:80"
						       : "an address like 192.0.2.1:80 or [2001:db8::1]:80";
	char host[INET6_ADDRSTRLEN + 2];
	const char *port_str = NULL;
	int port = 0;
	size_t n;

	if (flags & ADDR_PORT_NONE) {
		if (strlen(s) >= sizeof(host) || addr_set_ip(s, out))
			return addr_fail(err, errlen, what, s);
		return 0;
	}
	if (s[0] == '[') {
		const char *close = strchr(s, ']');
		if (!close || close[1] != ':' || (n = (size_t)(close - s - 1)) >= sizeof(host))
			return addr_fail(err, errlen, what, s);
		memcpy(host, s + 1, n);
		host[n] = '\0';
		port_str = close + 2;
		if (!strchr(host, ':'))
			return addr_fail(err, errlen, what, s);
	} else {
		const char *colon = strrchr(s, ':');
		if (!colon || memchr(s, ':', (size_t)(colon - s)) ||
		    (n = (size_t)(colon - s)) >= sizeof(host))
			return addr_fail(err, errlen, what, s);
		memcpy(host, s, n);
		host[n] = '\0';
		port_str = colon + 1;
	}
	if (addr_parse_port(port_str, &port))
		return addr_fail(err, errlen, what, s);
	if (strcmp(host, "*") == 0) {
		if (!(flags & ADDR_WILDCARD))
			return addr_fail(err, errlen, what, s);
		strcpy(host, "0.0.0.0");
	}
	if (addr_set_ip(host, out))
		return addr_fail(err, errlen, what, s);
	addr_set_port(out, port);
	return 0;
}

int addr_parse_prefix(const char *s, struct addr *out, int *prefixlen, char *err, size_t errlen)
{
	char host[INET6_ADDRSTRLEN + 1];
	const char *slash = strchr(s, '/');
	size_t n = slash ? (size_t)(slash - s) : strlen(s);
	const char *what = "an address with an optional prefix like 198.51.100.100/24";

	if (n >= sizeof(host))
		return addr_fail(err, errlen, what, s);
	memcpy(host, s, n);
	host[n] = '\0';
	if (addr_set_ip(host, out))
		return addr_fail(err, errlen, what, s);
	int max = addr_family(out) == AF_INET ? 32 : 128;
	if (!slash) {
		*prefixlen = max;
		return 0;
	}
	char *end;
	long v = strtol(slash + 1, &end, 10);
	if (slash[1] < '0' || slash[1] > '9' || *end || v < 0 || v > max)
		return addr_fail(err, errlen, what, s);
	*prefixlen = (int)v;
	return 0;
}

int addr_family(const struct addr *a)
{
	return a->ss.ss_family;
}

int addr_port(const struct addr *a)
{
	if (a->ss.ss_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)&a->ss)->sin_port);
	if (a->ss.ss_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)&a->ss)->sin6_port);
	return 0;
}

void addr_set_port(struct addr *a, int port)
{
	if (a->ss.ss_family == AF_INET)
		((struct sockaddr_in *)&a->ss)->sin_port = htons((uint16_t)port);
	else if (a->ss.ss_family == AF_INET6)
		((struct sockaddr_in6 *)&a->ss)->sin6_port = htons((uint16_t)port);
}

const void *addr_ip_bytes(const struct sockaddr_storage *ss, size_t *n)
{
	size_t len = 0;
	const void *ip = NULL;
	if (ss->ss_family == AF_INET) {
		len = 4;
		ip = &((const struct sockaddr_in *)ss)->sin_addr;
	} else if (ss->ss_family == AF_INET6) {
		len = 16;
		ip = &((const struct sockaddr_in6 *)ss)->sin6_addr;
	}
	if (n)
		*n = len;
	return ip;
}

const char *addr_format_ip(const struct addr *a, char *out, size_t outlen)
{
	size_t n;
	const void *ip = addr_ip_bytes(&a->ss, &n);
	if (!ip || !inet_ntop(a->ss.ss_family, ip, out, (socklen_t)outlen))
		snprintf(out, outlen, "?");
	return out;
}

const char *addr_ip4_text(const unsigned char ip[4], char *out)
{
	char *p = out;
	for (int i = 0; i < 4; i++) {
		unsigned v = ip[i];
		if (v >= 100)
			*p++ = (char)('0' + v / 100);
		if (v >= 10)
			*p++ = (char)('0' + v / 10 % 10);
		*p++ = (char)('0' + v % 10);
		*p++ = i < 3 ? '.' : '\0';
	}
	return out;
}

const char *addr_format(const struct addr *a, char *out, size_t outlen)
{
	char ip[INET6_ADDRSTRLEN];
	addr_format_ip(a, ip, sizeof(ip));
	if (a->ss.ss_family == AF_INET6)
		snprintf(out, outlen, "[%s]:%d", ip, addr_port(a));
	else
		snprintf(out, outlen, "%s:%d", ip, addr_port(a));
	return out;
}

int addr_cmp_ip(const struct addr *a, const struct addr *b)
{
	size_t na, nb;
	const void *pa = addr_ip_bytes(&a->ss, &na);
	const void *pb = addr_ip_bytes(&b->ss, &nb);
	if (na != nb)
		return na < nb ? -1 : 1;
	return na ? memcmp(pa, pb, na) : 0;
}

int addr_equal_ip(const struct addr *a, const struct addr *b)
{
	return a->ss.ss_family == b->ss.ss_family && addr_cmp_ip(a, b) == 0;
}
