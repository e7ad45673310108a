/* mtime: monotonic clock readings for timers and durations. */
#ifndef COMMON_MTIME_H
#define COMMON_MTIME_H

#include <stdint.h>

uint64_t mtime_ns(void);     /* CLOCK_MONOTONIC in nanoseconds */
uint64_t mtime_us(void);
uint64_t mtime_ms(void);
uint64_t mtime_wall_ms(void); /* CLOCK_REALTIME, for timestamps shown to people */

#endif
