#include "log.h"
#include "mtime.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

static int log_to_stderr = 1;
static int log_max_level = LOG_INFO;
static const char *log_ident = "ha";

static const char *const log_level_names[] = {
	[LOG_EMERG] = "emerg", [LOG_ALERT] = "alert", [LOG_CRIT] = "crit",
	[LOG_ERR] = "err", [LOG_WARNING] = "warning", [LOG_NOTICE] = "notice",
	[LOG_INFO] = "info", [LOG_DEBUG] = "debug",
};

void log_init(const char *ident, int to_stderr, int max_level)
{
	log_ident = ident;
	log_to_stderr = to_stderr;
	log_max_level = max_level;
	if (!to_stderr)
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void log_set_level(int max_level)
{
	log_max_level = max_level;
}

int log_level_parse(const char *name)
{
	for (int i = 0; i <= LOG_DEBUG; i++)
		if (strcasecmp(name, log_level_names[i]) == 0)
			return i;
	if (strcasecmp(name, "warn") == 0)
		return LOG_WARNING;
	return -1;
}

static void log_vmsg(int level, const char *fmt, va_list ap)
{
	char line[1024];
	int n = 0;

	if (level > log_max_level)
		return;
	if (!log_to_stderr) {
		vsyslog(level, fmt, ap);
		return;
	}
	struct timespec ts;
	struct tm tm;
	clock_gettime(CLOCK_REALTIME, &ts);
	localtime_r(&ts.tv_sec, &tm);
	n = snprintf(line, sizeof(line), "%02d:%02d:%02d.%03ld %s[%d] %s: ",
		     tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000,
		     log_ident, (int)getpid(), log_level_names[level & 7]);
	int m = vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	if (m < 0)
		return;
	n += m;
	if ((size_t)n > sizeof(line) - 2)
		n = (int)sizeof(line) - 2;
	line[n++] = '\n';
	/* One write per line so that threads never interleave. */
	ssize_t w = write(STDERR_FILENO, line, (size_t)n);
	(void)w;
}

void log_msg(int level, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	log_vmsg(level, fmt, ap);
	va_end(ap);
}

void log_rl(struct log_ratelimit *rl, int level, const char *fmt, ...)
{
	uint64_t now = mtime_ms();
	va_list ap;

	if (now - rl->window_start_ms >= rl->interval_ms) {
		if (rl->suppressed)
			log_msg(level, "%u similar messages suppressed", rl->suppressed);
		rl->window_start_ms = now;
		rl->printed = 0;
		rl->suppressed = 0;
	}
	if (rl->printed >= rl->burst) {
		rl->suppressed++;
		return;
	}
	rl->printed++;
	va_start(ap, fmt);
	log_vmsg(level, fmt, ap);
	va_end(ap);
}
