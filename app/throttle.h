/*
 * throttle.h: failed authentications per client address, counted across
 * all workers in memory the master maps before forking (SPEC section 10).
 *
 * After throttle_failures failures from one address (an IPv6 /64 counts as
 * one address) within throttle_window
 * seconds (a fixed window opened by the first failure), every request from
 * it that carries credentials gets 429 until the window ends. Successes do
 * not reset the count: an attacker who also holds one valid account cannot
 * clear it. The table is bounded; when full, the oldest window goes first.
 */
#ifndef THROTTLE_H
#define THROTTLE_H

#include <stdbool.h>

struct throttle;

/* Map a shared table; NULL if that failed (errno set). */
struct throttle *throttle_create(void);
void throttle_destroy(struct throttle *t);

/* 0 if addr may try, else the seconds until it may (Retry-After). *report:
 * whether this refusal is the first of its second for addr, the one to
 * log (a flood must not become a flood of log lines; one a second per
 * address still gives fail2ban its count). */
unsigned throttle_check(struct throttle *t, const char *addr, unsigned limit,
    unsigned window, bool *report);
/* Count one failure of addr. */
void throttle_fail(struct throttle *t, const char *addr, unsigned window);

#endif
