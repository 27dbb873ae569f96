/*
 * cache.c: see cache.h. A direct-mapped table: the id is already a keyed
 * hash, so its first bytes pick the slot and a collision just replaces the
 * older entry. Lookups compare the whole id in constant time.
 *
 * Entries keep only what a request needs of the user (no names, no hash),
 * so 16384 of them fit in 2 MiB, touched only as they fill: an idle worker
 * stays small. Flushing bumps a generation instead of clearing the table:
 * a NOTIFY costs nothing however large the table is.
 */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cache.h"

#define SLOTS 16384

struct entry {
	uint8_t id[LK_DIGEST_LEN];
	time_t expires;      /* 0: empty */
	unsigned generation; /* valid only while it equals ours */
	bool found;
	bool admin;
	bool must_change_passwd;
	int status;
	int64_t user_id;
	int64_t token_id;
	char login[64]; /* a user with a longer login is not cached */
};

static struct entry *table; /* allocated on first put */
static unsigned ttl_s = 60;
static unsigned generation = 1;

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
	generation++;
}

unsigned
cache_generation(void)
{
	return generation;
}

unsigned
cache_ttl(void)
{
	return ttl_s;
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
	if (e->expires == 0 || e->generation != generation ||
	    e->expires <= now_s() ||
	    sodium_memcmp(e->id, id, LK_DIGEST_LEN) != 0)
		return false;
	*found = e->found;
	if (e->found) {
		memset(out, 0, sizeof(*out));
		out->id = e->user_id;
		out->admin = e->admin;
		out->must_change_passwd = e->must_change_passwd;
		out->status = e->status;
		out->token_id = e->token_id;
		memcpy(out->login, e->login, sizeof(e->login));
	}
	return true;
}

void
cache_put(void *ctx, const uint8_t id[LK_DIGEST_LEN], const struct lk_user *u)
{
	struct entry *e;

	(void)ctx;
	if (ttl_s == 0)
		return;
	if (u != NULL && strlen(u->login) >= sizeof(table->login))
		return; /* rare, and still correct: looked up every time */
	if (table == NULL && (table = calloc(SLOTS, sizeof(*table))) == NULL)
		return;
	e = slot(id);
	memset(e, 0, sizeof(*e));
	memcpy(e->id, id, LK_DIGEST_LEN);
	e->expires = now_s() + ttl_s;
	e->generation = generation;
	e->found = u != NULL;
	if (u != NULL) {
		e->user_id = u->id;
		e->admin = u->admin;
		e->must_change_passwd = u->must_change_passwd;
		e->status = u->status;
		e->token_id = u->token_id;
		memcpy(e->login, u->login, strlen(u->login) + 1);
	}
}
