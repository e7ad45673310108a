/* transport: how a connection moves bytes.  The proxy calls these and
 * never read()/write() directly, so a TLS transport can slot in later
 * beside the plain one (Redis's connection.h idea). */
#ifndef LBD_TRANSPORT_H
#define LBD_TRANSPORT_H

#include <stddef.h>
#include <sys/types.h>

struct transport {
	const char *name;
	/* >0 bytes, 0 EOF, -1 with errno (EAGAIN: try later) */
	ssize_t (*recv)(int fd, void *buf, size_t len);
	ssize_t (*send)(int fd, const void *buf, size_t len);
	void (*shutdown_write)(int fd);
	void (*close)(int fd);
	int can_splice; /* bytes may move kernel to kernel (plain TCP only) */
};

extern const struct transport transport_plain;

#endif
