/* log: one line per message, to stderr in the foreground or to syslog.
 * Thread-safe: each message is formatted locally and written with one call. */
#ifndef COMMON_LOG_H
#define COMMON_LOG_H

#include <stdint.h>
#include <syslog.h>

void log_init(const char *ident, int to_stderr, int max_level);
void log_set_level(int max_level);
int log_level_parse(const char *name); /* "err".."debug" -> LOG_*, -1 if unknown */
void log_msg(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_err(...) log_msg(LOG_ERR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARNING, __VA_ARGS__)
#define log_notice(...) log_msg(LOG_NOTICE, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)

/* Rate limiting of repeated messages: at most `burst` messages per
 * `interval_ms`; the next one that passes says how many were suppressed.
 * One struct per message source (e.g. per discard reason); not shared
 * between threads. */
struct log_ratelimit {
	uint32_t interval_ms;
	uint32_t burst;
	uint64_t window_start_ms;
	uint32_t printed;
	uint32_t suppressed;
};

#define LOG_RATELIMIT_INIT(ms, n) { .interval_ms = (ms), .burst = (n) }

void log_rl(struct log_ratelimit *rl, int level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
