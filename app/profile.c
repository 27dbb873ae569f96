/*
 * profile.c: see profile.h. Direct-mapped by user id (ids are dense, so
 * 16384 slots hold as many users without collisions), allocated on first
 * use and touched as it fills: an idle worker stays small.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cache.h"
#include "profile.h"

#define SLOTS 16384

struct entry {
	int64_t user_id; /* 0: empty */
	unsigned generation;
	time_t expires;
	uint16_t off[PROFILE_FIELDS]; /* UINT16_MAX: NULL */
	char blob[sizeof(((struct profile *)0)->blob)];
};

static struct entry *table;

static time_t
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

bool
profile_get(int64_t user_id, struct profile *p)
{
	const struct entry *e;
	size_t i;

	if (table == NULL || user_id <= 0)
		return false;
	e = &table[user_id % SLOTS];
	if (e->user_id != user_id || e->generation != cache_generation() ||
	    e->expires <= now_s())
		return false;
	memcpy(p->blob, e->blob, sizeof(p->blob));
	for (i = 0; i < PROFILE_FIELDS; i++)
		p->v[i] = e->off[i] == UINT16_MAX ? NULL : p->blob + e->off[i];
	return true;
}

void
profile_put(int64_t user_id, const char *const v[PROFILE_FIELDS])
{
	struct entry *e;
	size_t i, used = 0, n;
	unsigned ttl = cache_ttl();

	if (ttl == 0 || user_id <= 0)
		return;
	if (table == NULL && (table = calloc(SLOTS, sizeof(*table))) == NULL)
		return;
	e = &table[user_id % SLOTS];
	e->user_id = 0;
	for (i = 0; i < PROFILE_FIELDS; i++) {
		if (v[i] == NULL) {
			e->off[i] = UINT16_MAX;
			continue;
		}
		n = strlen(v[i]) + 1;
		if (used + n > sizeof(e->blob))
			return; /* too large: not kept */
		memcpy(e->blob + used, v[i], n);
		e->off[i] = (uint16_t)used;
		used += n;
	}
	e->generation = cache_generation();
	e->expires = now_s() + ttl;
	e->user_id = user_id;
}
