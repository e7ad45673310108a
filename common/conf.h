/* conf: the configuration grammar both daemons share.
 *
 *   # comment
 *   keyword arg "quoted arg" ... ;
 *   keyword arg ... { child ...; child ...; }
 *   include "conf.d/NAME.conf";      (a glob, relative to the including file)
 *
 * conf_load() turns a file into a tree of statements and knows nothing of
 * keywords; each daemon walks the tree with its own keyword table through
 * conf_dispatch() and the conf_get_* value readers.  Every error is reported
 * as "file:line:column: what was expected". */
#ifndef COMMON_CONF_H
#define COMMON_CONF_H

#include <stddef.h>
#include <stdint.h>

#include "addr.h"

#define CONF_MAX_DEPTH 16
#define CONF_MAX_INCLUDE_DEPTH 8
#define CONF_MAX_ARGS 64
#define CONF_MAX_TOKEN 4096
#define CONF_MAX_FILE (16u << 20)

struct conf_pos {
	int line, col;
};

struct conf_node {
	const char *file;        /* owned by the tree */
	int nargs;               /* args[0] is the keyword */
	char **args;
	struct conf_pos *pos;    /* position of each arg */
	int has_block;
	int nchildren;
	struct conf_node *children;
};

struct conf_tree {
	struct conf_node root;   /* has_block = 1; its children are the top level */
	char **files;
	int nfiles;
};

int conf_load(const char *path, struct conf_tree **out, char *err, size_t errlen);
/* Parse text in memory; `include` is refused (used by tests and fuzzers). */
int conf_parse_string(const char *name, const char *text, size_t len,
		      struct conf_tree **out, char *err, size_t errlen);
void conf_free(struct conf_tree *t);

/* "file:line:col: <message>" about args[argi] (argi may be 0); returns -EINVAL. */
int conf_error(char *err, size_t errlen, const struct conf_node *n, int argi,
	       const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Keyword tables. */
enum conf_block_rule { CONF_NO_BLOCK, CONF_BLOCK };
enum {
	CONF_MULTI = 1 << 0,       /* may appear more than once in a block */
	CONF_UNIQUE_NAME = 1 << 1, /* repeatable, but args[1] must be unique */
};

typedef int (*conf_handler_fn)(void *ctx, const struct conf_node *n, char *err, size_t errlen);

struct conf_keyword {
	const char *name;
	const char *usage;          /* "server NAME ADDRESS [OPTIONS]" for errors */
	int min_args, max_args;     /* not counting the keyword; max -1 = any */
	enum conf_block_rule block;
	unsigned flags;
	conf_handler_fn handler;
};

/* Run each child of `block` through `table` (terminated by a NULL name):
 * unknown keywords, wrong argument counts, missing or unexpected blocks and
 * duplicates are errors. */
int conf_dispatch(const struct conf_node *block, const struct conf_keyword *table,
		  void *ctx, char *err, size_t errlen);

/* Value readers for args[i].  All return 0 or -EINVAL with a positioned error. */
int conf_get_duration_ms(const struct conf_node *n, int i, uint64_t *ms, char *err, size_t errlen);
/* A duration in milliseconds from min to max, into a uint32_t. */
int conf_get_ms32(const struct conf_node *n, int i, uint32_t min, uint32_t max, uint32_t *out,
		  char *err, size_t errlen);
int conf_get_uint(const struct conf_node *n, int i, unsigned long min, unsigned long max,
		  unsigned long *out, char *err, size_t errlen);
/* conf_get_uint into a uint32_t (max must fit). */
int conf_get_u32(const struct conf_node *n, int i, uint32_t min, uint32_t max,
		 uint32_t *out, char *err, size_t errlen);
int conf_get_size(const struct conf_node *n, int i, uint64_t *bytes, char *err, size_t errlen);
int conf_get_bool(const struct conf_node *n, int i, int *out, char *err, size_t errlen);
int conf_get_addr(const struct conf_node *n, int i, int flags, struct addr *a,
		  char *err, size_t errlen);
int conf_get_prefix(const struct conf_node *n, int i, struct addr *a, int *prefixlen,
		    char *err, size_t errlen);
/* Index of args[i] in a NULL-terminated word list, or -EINVAL ("expected one of a, b"). */
int conf_get_enum(const struct conf_node *n, int i, const char *const *words,
		  char *err, size_t errlen);

/* Pure value parsers (no position), also used by the control sockets. */
int conf_parse_duration_ms(const char *s, uint64_t *ms);
int conf_parse_size(const char *s, uint64_t *bytes);

#endif
