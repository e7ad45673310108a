#include "mtime.h"

#include <time.h>

static uint64_t mtime_read(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t mtime_ns(void)
{
	return mtime_read(CLOCK_MONOTONIC);
}

uint64_t mtime_us(void)
{
	return mtime_ns() / 1000u;
}

uint64_t mtime_ms(void)
{
	return mtime_ns() / 1000000u;
}

uint64_t mtime_wall_ms(void)
{
	return mtime_read(CLOCK_REALTIME) / 1000000u;
}
