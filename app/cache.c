/*
 * cache.c: see cache.h. A direct-mapped table: the id is already a keyed
 * hash, so its first bytes pick the slot and a collision just replaces the
 * older entry. Lookups compare the whole id in constant time.
 */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cache.h"

#define SLOTS 1024

struct entry {
	uint8_t id[LK_DIGEST_LEN];
	time_t expires; /* 0: empty */
	bool found;
	struct lk_user user;
};

static struct entry
    *table; /* allocated on first put: idle workers stay small */
static unsigned ttl_s = 60;

static time_t
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

static struct entry *
slot(const uint8_t id[LK_DIGEST_LEN])
{
	return &table[(id[0] | (unsigned)id[1] << 8) % SLOTS];
}

void
cache_configure(unsigned ttl)
{
	ttl_s = ttl;
	cache_flush();
}

void
cache_flush(void)
{
	if (table != NULL)
		sodium_memzero(table, SLOTS * sizeof(*table));
}

bool
cache_get(void *ctx, const uint8_t id[LK_DIGEST_LEN], struct lk_user *out,
    bool *found)
{
	struct entry *e;

	(void)ctx;
	if (table == NULL)
		return false;
	e = slot(id);
	if (e->expires == 0 || sodium_memcmp(e->id, id, LK_DIGEST_LEN) != 0)
		return false;
	if (e->expires <= now_s()) {
		sodium_memzero(e, sizeof(*e));
		return false;
	}
	*found = e->found;
	if (e->found)
		*out = e->user;
	return true;
}

void
cache_put(void *ctx, const uint8_t id[LK_DIGEST_LEN], const struct lk_user *u)
{
	struct entry *e;

	(void)ctx;
	if (ttl_s == 0)
		return;
	/* Entries hold user records, not secrets: plain memory will do. */
	if (table == NULL && (table = calloc(SLOTS, sizeof(*table))) == NULL)
		return;
	e = slot(id);
	memcpy(e->id, id, LK_DIGEST_LEN);
	e->expires = now_s() + ttl_s;
	e->found = u != NULL;
	if (u != NULL)
		e->user = *u;
	else
		memset(&e->user, 0, sizeof(e->user));
}
