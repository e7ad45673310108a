#include "conf.h"

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum tok_kind { TOK_EOF, TOK_WORD, TOK_SEMI, TOK_OPEN, TOK_CLOSE };

struct lexer {
	const char *file;
	const char *p, *end;
	int line, col;
	/* current token */
	enum tok_kind kind;
	char *text;        /* for TOK_WORD, malloc'd */
	int quoted;
	struct conf_pos pos;
};

struct parser {
	struct conf_tree *tree;
	int allow_include;
	int include_depth;
	char *err;
	size_t errlen;
};

static int parse_file(struct parser *ps, const char *path, struct conf_node *parent, int depth);

static int lex_error(struct lexer *lx, struct parser *ps, struct conf_pos pos, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int lex_error(struct lexer *lx, struct parser *ps, struct conf_pos pos, const char *fmt, ...)
{
	int n = snprintf(ps->err, ps->errlen, "%s:%d:%d: ", lx->file, pos.line, pos.col);
	if (n >= 0 && (size_t)n < ps->errlen) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(ps->err + n, ps->errlen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

static void lex_advance(struct lexer *lx)
{
	if (*lx->p == '\n') {
		lx->line++;
		lx->col = 1;
	} else {
		lx->col++;
	}
	lx->p++;
}

static const char *tok_name(const struct lexer *lx)
{
	switch (lx->kind) {
	case TOK_EOF: return "end of file";
	case TOK_SEMI: return "';'";
	case TOK_OPEN: return "'{'";
	case TOK_CLOSE: return "'}'";
	case TOK_WORD: break;
	}
	return lx->text;
}

static int is_word_char(unsigned char c)
{
	return c > ' ' && c != 0x7f && c != ';' && c != '{' && c != '}' && c != '"';
}

/* Reads the next token into lx; 0 or -EINVAL. */
static int lex_next(struct lexer *lx, struct parser *ps)
{
	free(lx->text);
	lx->text = NULL;
	lx->quoted = 0;
	for (;;) {
		while (lx->p < lx->end && (*lx->p == ' ' || *lx->p == '\t' || *lx->p == '\n' || *lx->p == '\r'))
			lex_advance(lx);
		if (lx->p < lx->end && *lx->p == '#') {
			while (lx->p < lx->end && *lx->p != '\n')
				lex_advance(lx);
			continue;
		}
		break;
	}
	lx->pos.line = lx->line;
	lx->pos.col = lx->col;
	if (lx->p >= lx->end) {
		lx->kind = TOK_EOF;
		return 0;
	}
	unsigned char c = (unsigned char)*lx->p;
	switch (c) {
	case ';': lx->kind = TOK_SEMI; lex_advance(lx); return 0;
	case '{': lx->kind = TOK_OPEN; lex_advance(lx); return 0;
	case '}': lx->kind = TOK_CLOSE; lex_advance(lx); return 0;
	default: break;
	}

	char buf[CONF_MAX_TOKEN + 1];
	size_t n = 0;
	if (c == '"') {
		lex_advance(lx);
		for (;;) {
			if (lx->p >= lx->end || *lx->p == '\n')
				return lex_error(lx, ps, lx->pos, "expected '\"' to close the quoted string");
			c = (unsigned char)*lx->p;
			if (c == '"') {
				lex_advance(lx);
				break;
			}
			if (c == '\\') {
				lex_advance(lx);
				if (lx->p >= lx->end)
					return lex_error(lx, ps, lx->pos, "expected '\"' to close the quoted string");
				c = (unsigned char)*lx->p;
				if (c == 'n')
					c = '\n';
				else if (c == 't')
					c = '\t';
				else if (c != '"' && c != '\\')
					return lex_error(lx, ps, (struct conf_pos){ lx->line, lx->col - 1 },
							 "expected one of \\\" \\\\ \\n \\t in a quoted string");
			} else if (c < ' ' && c != '\t') {
				return lex_error(lx, ps, (struct conf_pos){ lx->line, lx->col },
						 "expected a printable character in a quoted string");
			}
			if (n >= CONF_MAX_TOKEN)
				return lex_error(lx, ps, lx->pos, "expected a string of at most %d bytes", CONF_MAX_TOKEN);
			buf[n++] = (char)c;
			lex_advance(lx);
		}
		lx->quoted = 1;
	} else if (is_word_char(c)) {
		while (lx->p < lx->end && is_word_char((unsigned char)*lx->p)) {
			if (n >= CONF_MAX_TOKEN)
				return lex_error(lx, ps, lx->pos, "expected a word of at most %d bytes", CONF_MAX_TOKEN);
			buf[n++] = *lx->p;
			lex_advance(lx);
		}
	} else {
		return lex_error(lx, ps, lx->pos, "expected a keyword, a value or one of ; { }, got byte 0x%02x", c);
	}
	buf[n] = '\0';
	lx->text = strdup(buf);
	if (!lx->text) {
		snprintf(ps->err, ps->errlen, "%s: out of memory", lx->file);
		return -ENOMEM;
	}
	lx->kind = TOK_WORD;
	return 0;
}

static void node_free(struct conf_node *n)
{
	for (int i = 0; i < n->nargs; i++)
		free(n->args[i]);
	free(n->args);
	free(n->pos);
	for (int i = 0; i < n->nchildren; i++)
		node_free(&n->children[i]);
	free(n->children);
}

static struct conf_node *node_add_child(struct conf_node *parent)
{
	struct conf_node *c = realloc(parent->children, sizeof(*c) * (size_t)(parent->nchildren + 1));
	if (!c)
		return NULL;
	parent->children = c;
	c = &parent->children[parent->nchildren++];
	memset(c, 0, sizeof(*c));
	return c;
}

static int node_add_arg(struct conf_node *n, char *text, struct conf_pos pos)
{
	char **a = realloc(n->args, sizeof(*a) * (size_t)(n->nargs + 1));
	if (!a)
		return -ENOMEM;
	n->args = a;
	struct conf_pos *p = realloc(n->pos, sizeof(*p) * (size_t)(n->nargs + 1));
	if (!p)
		return -ENOMEM;
	n->pos = p;
	n->args[n->nargs] = text;
	n->pos[n->nargs] = pos;
	n->nargs++;
	return 0;
}

static int do_include(struct parser *ps, struct lexer *lx, struct conf_node *stmt,
		      struct conf_node *parent, int depth)
{
	char pattern[PATH_MAX];
	const char *arg = stmt->args[1];
	glob_t g;
	int rc = 0;

	if (!ps->allow_include)
		return lex_error(lx, ps, stmt->pos[0], "include is not allowed here");
	if (ps->include_depth >= CONF_MAX_INCLUDE_DEPTH)
		return lex_error(lx, ps, stmt->pos[0], "include nested deeper than %d files (a loop?)",
				 CONF_MAX_INCLUDE_DEPTH);
	if (arg[0] == '/') {
		snprintf(pattern, sizeof(pattern), "%s", arg);
	} else {
		const char *slash = strrchr(lx->file, '/');
		int dirlen = slash ? (int)(slash - lx->file) : 1;
		snprintf(pattern, sizeof(pattern), "%.*s/%s", dirlen, slash ? lx->file : ".", arg);
	}
	int grc = glob(pattern, 0, NULL, &g);
	if (grc == GLOB_NOMATCH) {
		/* A literal path must exist; an empty pattern match is fine. */
		if (!strpbrk(arg, "*?["))
			return lex_error(lx, ps, stmt->pos[1], "expected an existing file, '%s' not found", pattern);
		return 0;
	}
	if (grc != 0)
		return lex_error(lx, ps, stmt->pos[1], "cannot read include pattern '%s'", pattern);
	ps->include_depth++;
	for (size_t i = 0; i < g.gl_pathc && rc == 0; i++)
		rc = parse_file(ps, g.gl_pathv[i], parent, depth);
	ps->include_depth--;
	globfree(&g);
	return rc;
}

/* Parses statements into parent until end of file (file_top: the top of a
 * file, which may be included inside a block) or the '}' of a block opened
 * at open_pos.  depth counts nesting across includes. */
static int parse_block(struct parser *ps, struct lexer *lx, struct conf_node *parent,
		       int depth, struct conf_pos open_pos, int file_top)
{
	int rc;
	for (;;) {
		if ((rc = lex_next(lx, ps)))
			return rc;
		if (lx->kind == TOK_EOF) {
			if (!file_top)
				return lex_error(lx, ps, lx->pos, "expected '}' to close the block opened at line %d",
						 open_pos.line);
			return 0;
		}
		if (lx->kind == TOK_CLOSE) {
			if (file_top)
				return lex_error(lx, ps, lx->pos, "expected a keyword, got '}' with no block open");
			return 0;
		}
		if (lx->kind != TOK_WORD)
			return lex_error(lx, ps, lx->pos, "expected a keyword, got %s", tok_name(lx));

		struct conf_node stmt = { .file = lx->file };
		int is_include = !lx->quoted && strcmp(lx->text, "include") == 0;
		for (;;) {
			if (lx->kind == TOK_WORD) {
				if (stmt.nargs >= CONF_MAX_ARGS) {
					rc = lex_error(lx, ps, lx->pos, "expected at most %d words in a statement",
						       CONF_MAX_ARGS);
					goto bad;
				}
				if ((rc = node_add_arg(&stmt, lx->text, lx->pos))) {
					snprintf(ps->err, ps->errlen, "%s: out of memory", lx->file);
					goto bad;
				}
				lx->text = NULL;
			} else if (lx->kind == TOK_SEMI) {
				break;
			} else if (lx->kind == TOK_OPEN) {
				if (is_include) {
					rc = lex_error(lx, ps, lx->pos, "expected ';' after 'include FILE'");
					goto bad;
				}
				if (depth + 1 > CONF_MAX_DEPTH) {
					rc = lex_error(lx, ps, lx->pos, "expected at most %d nested blocks", CONF_MAX_DEPTH);
					goto bad;
				}
				stmt.has_block = 1;
				if ((rc = parse_block(ps, lx, &stmt, depth + 1, lx->pos, 0)))
					goto bad;
				break;
			} else {
				rc = lex_error(lx, ps, lx->pos, "expected ';' or '{' after '%s', got %s",
					       stmt.args[stmt.nargs - 1], tok_name(lx));
				goto bad;
			}
			if ((rc = lex_next(lx, ps)))
				goto bad;
		}
		if (is_include) {
			if (stmt.nargs != 2) {
				rc = lex_error(lx, ps, stmt.pos[0], "expected 'include FILE;'");
				goto bad;
			}
			rc = do_include(ps, lx, &stmt, parent, depth);
			node_free(&stmt);
			if (rc)
				return rc;
			continue;
		}
		struct conf_node *child = node_add_child(parent);
		if (!child) {
			rc = -ENOMEM;
			snprintf(ps->err, ps->errlen, "%s: out of memory", lx->file);
			goto bad;
		}
		*child = stmt;
		continue;
bad:
		node_free(&stmt);
		return rc;
	}
}

static const char *tree_intern_file(struct conf_tree *t, const char *name)
{
	char **f = realloc(t->files, sizeof(*f) * (size_t)(t->nfiles + 1));
	if (!f)
		return NULL;
	t->files = f;
	f[t->nfiles] = strdup(name);
	if (!f[t->nfiles])
		return NULL;
	return f[t->nfiles++];
}

static int parse_text(struct parser *ps, const char *name, const char *text, size_t len,
		      struct conf_node *parent, int depth)
{
	const char *file = tree_intern_file(ps->tree, name);
	if (!file) {
		snprintf(ps->err, ps->errlen, "%s: out of memory", name);
		return -ENOMEM;
	}
	struct lexer lx = { .file = file, .p = text, .end = text + len, .line = 1, .col = 1 };
	int rc = parse_block(ps, &lx, parent, depth, (struct conf_pos){ 1, 1 }, 1);
	free(lx.text);
	return rc;
}

static int parse_file(struct parser *ps, const char *path, struct conf_node *parent, int depth)
{
	struct stat st;
	char *text = NULL;
	int rc = -EINVAL;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		snprintf(ps->err, ps->errlen, "%s: cannot open: %s", path, strerror(errno));
		return -errno;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size > CONF_MAX_FILE) {
		snprintf(ps->err, ps->errlen, "%s: expected a regular file of at most %u bytes", path,
			 CONF_MAX_FILE);
		goto out;
	}
	text = malloc((size_t)st.st_size + 1);
	if (!text) {
		rc = -ENOMEM;
		goto out;
	}
	size_t got = 0;
	while (got < (size_t)st.st_size) {
		ssize_t r = read(fd, text + got, (size_t)st.st_size - got);
		if (r <= 0) {
			snprintf(ps->err, ps->errlen, "%s: read failed", path);
			goto out;
		}
		got += (size_t)r;
	}
	rc = parse_text(ps, path, text, got, parent, depth);
out:
	free(text);
	close(fd);
	return rc;
}

static struct conf_tree *tree_new(void)
{
	struct conf_tree *t = calloc(1, sizeof(*t));
	if (t)
		t->root.has_block = 1;
	return t;
}

int conf_load(const char *path, struct conf_tree **out, char *err, size_t errlen)
{
	struct conf_tree *t = tree_new();
	if (!t)
		return -ENOMEM;
	struct parser ps = { .tree = t, .allow_include = 1, .err = err, .errlen = errlen };
	int rc = parse_file(&ps, path, &t->root, 0);
	if (rc) {
		conf_free(t);
		return rc;
	}
	t->root.file = t->nfiles ? t->files[0] : path;
	*out = t;
	return 0;
}

int conf_parse_string(const char *name, const char *text, size_t len,
		      struct conf_tree **out, char *err, size_t errlen)
{
	struct conf_tree *t = tree_new();
	if (!t)
		return -ENOMEM;
	struct parser ps = { .tree = t, .allow_include = 0, .err = err, .errlen = errlen };
	int rc = parse_text(&ps, name, text, len, &t->root, 0);
	if (rc) {
		conf_free(t);
		return rc;
	}
	t->root.file = t->files[0];
	*out = t;
	return 0;
}

void conf_free(struct conf_tree *t)
{
	if (!t)
		return;
	node_free(&t->root);
	for (int i = 0; i < t->nfiles; i++)
		free(t->files[i]);
	free(t->files);
	free(t);
}

int conf_error(char *err, size_t errlen, const struct conf_node *n, int argi, const char *fmt, ...)
{
	struct conf_pos p = { 0, 0 };
	if (n->nargs > 0)
		p = n->pos[argi < n->nargs ? argi : n->nargs - 1];
	int k = snprintf(err, errlen, "%s:%d:%d: ", n->file ? n->file : "?", p.line, p.col);
	if (k >= 0 && (size_t)k < errlen) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err + k, errlen - (size_t)k, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

static const struct conf_keyword *kw_find(const struct conf_keyword *t, const char *name)
{
	for (; t->name; t++)
		if (strcmp(t->name, name) == 0)
			return t;
	return NULL;
}

static void kw_list(const struct conf_keyword *t, char *out, size_t outlen)
{
	size_t n = 0;
	out[0] = '\0';
	for (; t->name && n < outlen; t++) {
		int k = snprintf(out + n, outlen - n, "%s%s", n ? ", " : "", t->name);
		if (k < 0)
			break;
		n += (size_t)k;
	}
}

int conf_dispatch(const struct conf_node *block, const struct conf_keyword *table,
		  void *ctx, char *err, size_t errlen)
{
	for (int i = 0; i < block->nchildren; i++) {
		const struct conf_node *c = &block->children[i];
		const struct conf_keyword *kw = kw_find(table, c->args[0]);
		char list[512];

		if (!kw) {
			kw_list(table, list, sizeof(list));
			return conf_error(err, errlen, c, 0, "unknown keyword '%s', expected one of: %s",
					  c->args[0], list);
		}
		int nargs = c->nargs - 1;
		if (nargs < kw->min_args || (kw->max_args >= 0 && nargs > kw->max_args))
			return conf_error(err, errlen, c, nargs < kw->min_args ? 0 : kw->max_args + 1,
					  "expected '%s'", kw->usage);
		if (kw->block == CONF_BLOCK && !c->has_block)
			return conf_error(err, errlen, c, c->nargs, "expected '{' after '%s'", kw->usage);
		if (kw->block == CONF_NO_BLOCK && c->has_block)
			return conf_error(err, errlen, c, c->nargs, "expected ';' after '%s' (it takes no block)",
					  kw->usage);
		if (!(kw->flags & CONF_MULTI)) {
			for (int j = 0; j < i; j++) {
				const struct conf_node *o = &block->children[j];
				if (strcmp(o->args[0], c->args[0]) != 0)
					continue;
				if (kw->flags & CONF_UNIQUE_NAME) {
					if (o->nargs > 1 && c->nargs > 1 && strcmp(o->args[1], c->args[1]) == 0)
						return conf_error(err, errlen, c, 1,
								  "duplicate %s '%s' (first at %s:%d), expected a unique name",
								  c->args[0], c->args[1], o->file, o->pos[0].line);
				} else {
					return conf_error(err, errlen, c, 0,
							  "duplicate '%s' (first at %s:%d), expected it once per block",
							  c->args[0], o->file, o->pos[0].line);
				}
			}
		}
		if (kw->handler) {
			int rc = kw->handler(ctx, c, err, errlen);
			if (rc)
				return rc;
		}
	}
	return 0;
}

int conf_parse_duration_ms(const char *s, uint64_t *ms)
{
	/* digits [ "." digits ] unit, unit one of ms s m h d */
	uint64_t whole = 0, frac = 0, frac_scale = 1;
	const char *p = s;

	if (*p < '0' || *p > '9')
		return -EINVAL;
	for (; *p >= '0' && *p <= '9'; p++) {
		whole = whole * 10 + (uint64_t)(*p - '0');
		if (whole > 1000000000ull)
			return -ERANGE;
	}
	if (*p == '.') {
		p++;
		if (*p < '0' || *p > '9')
			return -EINVAL;
		for (; *p >= '0' && *p <= '9'; p++) {
			if (frac_scale >= 1000000)
				return -EINVAL;
			frac = frac * 10 + (uint64_t)(*p - '0');
			frac_scale *= 10;
		}
	}
	uint64_t unit;
	if (strcmp(p, "ms") == 0)
		unit = 1;
	else if (strcmp(p, "s") == 0)
		unit = 1000;
	else if (strcmp(p, "m") == 0)
		unit = 60000;
	else if (strcmp(p, "h") == 0)
		unit = 3600000;
	else if (strcmp(p, "d") == 0)
		unit = 86400000;
	else
		return -EINVAL;
	uint64_t v = whole * unit + frac * unit / frac_scale;
	if (frac * unit % frac_scale)
		return -EINVAL; /* finer than a millisecond */
	*ms = v;
	return 0;
}

int conf_parse_size(const char *s, uint64_t *bytes)
{
	const char *p = s;
	uint64_t v = 0;

	if (*p < '0' || *p > '9')
		return -EINVAL;
	for (; *p >= '0' && *p <= '9'; p++) {
		v = v * 10 + (uint64_t)(*p - '0');
		if (v > (1ull << 40))
			return -ERANGE;
	}
	unsigned shift = 0;
	if (*p == 'k' || *p == 'K')
		shift = 10;
	else if (*p == 'm' || *p == 'M')
		shift = 20;
	else if (*p == 'g' || *p == 'G')
		shift = 30;
	else if (*p)
		return -EINVAL;
	if (shift && p[1])
		return -EINVAL;
	*bytes = v << shift;
	return 0;
}

int conf_get_duration_ms(const struct conf_node *n, int i, uint64_t *ms, char *err, size_t errlen)
{
	if (i >= n->nargs || conf_parse_duration_ms(n->args[i], ms))
		return conf_error(err, errlen, n, i, "expected a duration like 250ms, 2s, 1.5s or 1m, got '%s'",
				  i < n->nargs ? n->args[i] : "");
	return 0;
}

/* A bound in the largest unit that states it exactly: 40950ms, 10s, 1h, 7d. */
static void duration_text(uint64_t ms, char *out, size_t outlen)
{
	static const struct { uint64_t ms; const char *unit; } units[] = {
		{ 86400000, "d" }, { 3600000, "h" }, { 60000, "m" }, { 1000, "s" },
	};
	for (size_t u = 0; u < sizeof(units) / sizeof(units[0]); u++) {
		if (ms && ms % units[u].ms == 0) {
			snprintf(out, outlen, "%llu%s", (unsigned long long)(ms / units[u].ms), units[u].unit);
			return;
		}
	}
	snprintf(out, outlen, "%llums", (unsigned long long)ms);
}

int conf_get_ms32(const struct conf_node *n, int i, uint32_t min, uint32_t max, uint32_t *out,
		  char *err, size_t errlen)
{
	uint64_t ms;
	int rc = conf_get_duration_ms(n, i, &ms, err, errlen);
	if (rc)
		return rc;
	if (ms < min || ms > max) {
		char lo[32], hi[32];
		duration_text(min, lo, sizeof(lo));
		duration_text(max, hi, sizeof(hi));
		return conf_error(err, errlen, n, i, "expected a duration from %s to %s, got '%s'", lo, hi,
				  n->args[i]);
	}
	*out = (uint32_t)ms;
	return 0;
}

int conf_get_uint(const struct conf_node *n, int i, unsigned long min, unsigned long max,
		  unsigned long *out, char *err, size_t errlen)
{
	const char *s = i < n->nargs ? n->args[i] : "";
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (*s < '0' || *s > '9' || *end || errno || v < min || v > max)
		return conf_error(err, errlen, n, i, "expected a whole number from %lu to %lu, got '%s'",
				  min, max, s);
	*out = v;
	return 0;
}

int conf_get_u32(const struct conf_node *n, int i, uint32_t min, uint32_t max,
		 uint32_t *out, char *err, size_t errlen)
{
	unsigned long v;
	int rc = conf_get_uint(n, i, min, max, &v, err, errlen);
	if (!rc)
		*out = (uint32_t)v;
	return rc;
}

int conf_get_size(const struct conf_node *n, int i, uint64_t *bytes, char *err, size_t errlen)
{
	if (i >= n->nargs || conf_parse_size(n->args[i], bytes))
		return conf_error(err, errlen, n, i, "expected a size like 512, 16k, 1m or 1g, got '%s'",
				  i < n->nargs ? n->args[i] : "");
	return 0;
}

int conf_get_bool(const struct conf_node *n, int i, int *out, char *err, size_t errlen)
{
	static const char *const words[] = { "off", "on", "no", "yes", "false", "true", NULL };
	int k = conf_get_enum(n, i, words, err, errlen);
	if (k < 0)
		return k;
	*out = k & 1;
	return 0;
}

int conf_get_enum(const struct conf_node *n, int i, const char *const *words,
		  char *err, size_t errlen)
{
	const char *s = i < n->nargs ? n->args[i] : "";
	char list[256];
	size_t len = 0;

	for (int k = 0; words[k]; k++)
		if (strcmp(words[k], s) == 0)
			return k;
	list[0] = '\0';
	for (int k = 0; words[k] && len < sizeof(list); k++) {
		int m = snprintf(list + len, sizeof(list) - len, "%s%s", k ? ", " : "", words[k]);
		if (m < 0)
			break;
		len += (size_t)m;
	}
	return conf_error(err, errlen, n, i, "expected one of %s, got '%s'", list, s);
}

int conf_get_addr(const struct conf_node *n, int i, int flags, struct addr *a,
		  char *err, size_t errlen)
{
	char why[160];
	if (i >= n->nargs)
		return conf_error(err, errlen, n, i, "expected an address");
	if (addr_parse(n->args[i], flags, a, why, sizeof(why)))
		return conf_error(err, errlen, n, i, "%s", why);
	return 0;
}

int conf_get_prefix(const struct conf_node *n, int i, struct addr *a, int *prefixlen,
		    char *err, size_t errlen)
{
	char why[160];
	if (i >= n->nargs)
		return conf_error(err, errlen, n, i, "expected an address");
	if (addr_parse_prefix(n->args[i], a, prefixlen, why, sizeof(why)))
		return conf_error(err, errlen, n, i, "%s", why);
	return 0;
}
