/*
 * profile.c: see profile.h. Direct-mapped by user id (ids are dense, so
 * 16384 slots hold as many users without collisions), in memory the
 * master shares before forking (cache_share), or private on first use.
 * Slots are locked as cache.c's are: tried, never waited for.
 */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "cache.h"
#include "profile.h"

#define SLOTS 16384

struct entry {
	_Atomic unsigned lock;
	int64_t user_id; /* 0: empty */
	unsigned generation;
	time_t expires;
	uint16_t off[PROFILE_FIELDS]; /* UINT16_MAX: NULL */
	char blob[sizeof(((struct profile *)0)->blob)];
};

/* Its own generation: a change to what only these records show (a name,
 * last_login_on) empties them without emptying the credential cache. */
struct shared {
	_Atomic unsigned generation;
	struct entry slots[SLOTS];
};

static struct shared *area;
static unsigned put_generation; /* of this request; 0: do not put */

int
profile_share(void)
{
	if ((area = cache_map(sizeof(*area))) == NULL)
		return -1;
	atomic_store(&area->generation, 1);
	return 0;
}

static struct shared *
get_area(void)
{
	if (area == NULL && (area = calloc(1, sizeof(*area))) != NULL)
		atomic_store(&area->generation, 1);
	return area;
}

void
profile_flush(void)
{
	if (get_area() != NULL)
		atomic_fetch_add(&area->generation, 1);
	put_generation = 0;
}

void
profile_begin(void)
{
	put_generation = get_area() ? atomic_load(&area->generation) : 0;
}

bool
profile_get(int64_t user_id, struct profile *p)
{
	struct entry *e;
	uint16_t off[PROFILE_FIELDS];
	bool hit;
	size_t i;

	if (area == NULL || user_id <= 0 || cache_ttl() == 0)
		return false;
	e = &area->slots[user_id % SLOTS];
	if (!cache_trylock(&e->lock))
		return false;
	hit = e->user_id == user_id &&
	      e->generation == atomic_load(&area->generation) &&
	      e->expires > cache_clock();
	if (hit) {
		memcpy(p->blob, e->blob, sizeof(p->blob));
		memcpy(off, e->off, sizeof(off));
	}
	cache_unlock(&e->lock);
	if (!hit)
		return false;
	for (i = 0; i < PROFILE_FIELDS; i++)
		p->v[i] = off[i] == UINT16_MAX ? NULL : p->blob + off[i];
	return true;
}

void
profile_put(int64_t user_id, const char *const v[PROFILE_FIELDS])
{
	struct entry *e;
	uint16_t off[PROFILE_FIELDS];
	char blob[sizeof(e->blob)];
	size_t i, used = 0, n;
	unsigned gen = put_generation;

	/* A flush since the request began: what it read may be stale. */
	if (cache_ttl() == 0 || gen == 0 || user_id <= 0 ||
	    get_area() == NULL || gen != atomic_load(&area->generation))
		return;
	for (i = 0; i < PROFILE_FIELDS; i++) {
		if (v[i] == NULL) {
			off[i] = UINT16_MAX;
			continue;
		}
		n = strlen(v[i]) + 1;
		if (used + n > sizeof(blob))
			return; /* too large: not kept */
		memcpy(blob + used, v[i], n);
		off[i] = (uint16_t)used;
		used += n;
	}
	e = &area->slots[user_id % SLOTS];
	if (!cache_trylock(&e->lock))
		return;
	memcpy(e->blob, blob, used);
	memcpy(e->off, off, sizeof(off));
	e->generation = gen;
	e->expires = cache_clock() + cache_ttl();
	e->user_id = user_id;
	cache_unlock(&e->lock);
}
