/*
 * cache.c: see cache.h. A direct-mapped table: the id is already a keyed
 * hash, so its first bytes pick the slot and a collision just replaces the
 * older entry. Lookups compare the whole id in constant time.
 *
 * Entries keep only what a request needs of the user (no names, no hash),
 * so 16384 of them fit in 2 MiB, touched only as they fill. Flushing bumps
 * a generation instead of clearing the table. Each slot has a lock that is
 * only ever tried: a busy slot is a miss (or a put skipped), never a wait.
 */
#include <sodium.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "cache.h"
#include "listcache.h"
#include "log.h"
#include "profile.h"

#define SLOTS 16384

struct entry {
	_Atomic unsigned lock;
	uint8_t id[LK_DIGEST_LEN];
	time_t expires;      /* 0: empty */
	unsigned generation; /* valid only while it is the present one */
	bool found;
	bool admin;
	bool must_change_passwd;
	int status;
	int64_t user_id;
	int64_t token_id;
	char login[64]; /* a user with a longer login is not cached */
};

struct shared {
	_Atomic unsigned generation;
	struct entry slots[SLOTS];
};

static struct shared *area; /* shared, or private on first use */
static unsigned ttl_s = 60;
static unsigned put_generation; /* of this request; 0: do not put */

time_t
cache_clock(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

void *
cache_map(size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

int
cache_share(void)
{
	if ((area = cache_map(sizeof(*area))) == NULL)
		return -1;
	atomic_store(&area->generation, 1);
	return profile_share() == 0 && listcache_share() == 0 ? 0 : -1;
}

/* The area, private if the master did not share one. */
static struct shared *
get_area(void)
{
	if (area == NULL && (area = calloc(1, sizeof(*area))) != NULL)
		atomic_store(&area->generation, 1);
	return area;
}

bool
cache_trylock(_Atomic unsigned *lock)
{
	unsigned free = 0;

	return atomic_compare_exchange_strong_explicit(
	    lock, &free, 1, memory_order_acquire, memory_order_relaxed);
}

void
cache_unlock(_Atomic unsigned *lock)
{
	atomic_store_explicit(lock, 0, memory_order_release);
}

void
cache_configure(unsigned ttl)
{
	ttl_s = ttl;
}

void
cache_flush(void)
{
	if (get_area() != NULL)
		atomic_fetch_add(&area->generation, 1);
	put_generation = 0;
	profile_flush(); /* what changed a credential shows in a record */
}

void
cache_begin(void)
{
	put_generation = get_area() ? atomic_load(&area->generation) : 0;
	profile_begin();
}

static unsigned
cache_generation(void)
{
	return get_area() ? atomic_load(&area->generation) : 0;
}

static unsigned
cache_put_generation(void)
{
	/* A flush since the request began: what it read may be stale. */
	if (put_generation != cache_generation())
		return 0;
	return put_generation;
}

unsigned
cache_ttl(void)
{
	return ttl_s;
}

static struct entry *
slot(const uint8_t id[LK_DIGEST_LEN])
{
	return &area->slots[(id[0] | (unsigned)id[1] << 8) % SLOTS];
}

bool
cache_get(void *ctx, const uint8_t id[LK_DIGEST_LEN], struct lk_user *out,
    bool *found)
{
	struct entry *e, copy;

	(void)ctx;
	if (ttl_s == 0 || get_area() == NULL)
		return false;
	e = slot(id);
	if (!cache_trylock(&e->lock))
		return false;
	memcpy(&copy, e, sizeof(copy));
	cache_unlock(&e->lock);
	if (copy.expires == 0 || copy.generation != cache_generation() ||
	    copy.expires <= cache_clock() ||
	    sodium_memcmp(copy.id, id, LK_DIGEST_LEN) != 0) {
		/* What the tests count (t/integ/56-cache.t); never the id. */
		log_event(LK_LOG_DEBUG, "credential_cache", "result", "miss",
		    (char *)NULL);
		return false;
	}
	*found = copy.found;
	if (copy.found) {
		memset(out, 0, sizeof(*out));
		out->id = copy.user_id;
		out->admin = copy.admin;
		out->must_change_passwd = copy.must_change_passwd;
		out->status = copy.status;
		out->token_id = copy.token_id;
		memcpy(out->login, copy.login, sizeof(copy.login));
	}
	return true;
}

void
cache_put(void *ctx, const uint8_t id[LK_DIGEST_LEN], const struct lk_user *u)
{
	struct entry *e;
	unsigned gen = cache_put_generation();

	(void)ctx;
	if (ttl_s == 0 || gen == 0 || get_area() == NULL)
		return;
	if (u != NULL && strlen(u->login) >= sizeof(e->login))
		return; /* rare, and still correct: looked up every time */
	e = slot(id);
	if (!cache_trylock(&e->lock))
		return;
	memcpy(e->id, id, LK_DIGEST_LEN);
	e->expires = cache_clock() + ttl_s;
	e->generation = gen;
	e->found = u != NULL;
	e->admin = u ? u->admin : false;
	e->must_change_passwd = u ? u->must_change_passwd : false;
	e->status = u ? u->status : 0;
	e->user_id = u ? u->id : 0;
	e->token_id = u ? u->token_id : 0;
	memset(e->login, 0, sizeof(e->login));
	if (u != NULL)
		memcpy(e->login, u->login, strlen(u->login) + 1);
	cache_unlock(&e->lock);
}
