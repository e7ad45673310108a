/* buf: a growable byte buffer.  The owner frees it with buf_free(). */
#ifndef COMMON_BUF_H
#define COMMON_BUF_H

#include <stddef.h>

struct buf {
	char *data;
	size_t len;
	size_t cap;
};

#define BUF_INIT { NULL, 0, 0 }

int buf_reserve(struct buf *b, size_t extra);          /* 0 or -ENOMEM */
int buf_append(struct buf *b, const void *p, size_t n); /* 0 or -ENOMEM */
int buf_puts(struct buf *b, const char *s);
int buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_consume(struct buf *b, size_t n); /* drop n bytes from the front */
void buf_reset(struct buf *b);             /* len = 0, keeps memory */
void buf_free(struct buf *b);
const char *buf_cstr(struct buf *b);       /* NUL-terminated view ("" on ENOMEM) */

#endif
