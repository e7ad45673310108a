/* addr: socket addresses parsed from and printed for people.
 *   "192.0.2.1:80"  "[2001:db8::1]:80"  "*:4318" (IPv4 any)  "[::]:4318"
 * Plain addresses (no port) and prefixes ("198.51.100.100/24") too. */
#ifndef COMMON_ADDR_H
#define COMMON_ADDR_H

#include <stddef.h>
#include <sys/socket.h>

enum {
	ADDR_PORT_REQUIRED = 1 << 0, /* "host:port" */
	ADDR_PORT_NONE = 1 << 1,     /* plain address, no port */
	ADDR_WILDCARD = 1 << 2,      /* accept "*" for the IPv4 any address */
};

struct addr {
	struct sockaddr_storage ss;
	socklen_t len;
};

/* 0 or -EINVAL with a reason in err ("expected an address like 192.0.2.1:80"). */
int addr_parse(const char *s, int flags, struct addr *out, char *err, size_t errlen);
/* "198.51.100.100/24" or "2001:db8::100/64"; no prefix means /32 or /128. */
int addr_parse_prefix(const char *s, struct addr *out, int *prefixlen, char *err, size_t errlen);

/* Print "192.0.2.1:80" / "[2001:db8::1]:80", or without port (addr_format_ip). */
#define ADDR_STRLEN 64
const char *addr_format(const struct addr *a, char *out, size_t outlen);
const char *addr_format_ip(const struct addr *a, char *out, size_t outlen);

/* "192.0.2.1" from 4 bytes in network order, without printf (a proxy
 * writes one per request, for X-Forwarded-For).  out: ADDR_IP4_STRLEN. */
#define ADDR_IP4_STRLEN 16
const char *addr_ip4_text(const unsigned char ip[4], char *out);

/* The IP's bytes in network order inside *ss (4 for AF_INET, 16 for
 * AF_INET6; *n gets the count when n is not NULL), or NULL for another
 * family.  Takes the sockaddr so that a recvmsg() source needs no copy. */
const void *addr_ip_bytes(const struct sockaddr_storage *ss, size_t *n);

int addr_family(const struct addr *a);
int addr_port(const struct addr *a);
void addr_set_port(struct addr *a, int port);
int addr_equal_ip(const struct addr *a, const struct addr *b); /* same family and IP */
int addr_cmp_ip(const struct addr *a, const struct addr *b);   /* memcmp order of IPs */

#endif
