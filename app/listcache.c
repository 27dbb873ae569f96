/*
 * listcache.c: see listcache.h. Two tables in memory the master maps
 * before forking (or private on first use, as cache.c's): each user's
 * view class, direct-mapped by user id as profile.c's records are; and
 * the lists, two-way set-associative by key, in two tiers: many slots for
 * pages of 25 (about 22 KiB for issues) and a few for pages of 100
 * (python-redmine's, about 70 KiB); a larger list is served, not kept.
 * Memory is touched only as slots fill. Slots are locked as cache.c's
 * are: tried, never waited for, so a busy slot is a miss. Both tables
 * carry the data generation they were read in and count only while it is
 * the present one.
 */
#define _GNU_SOURCE /* memmem */
#include <sodium.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "cache.h"
#include "listcache.h"

#define CLASS_SLOTS 16384
#define SMALL_SETS  64 /* of two slots: 128 lists of up to 32 KiB, */
#define SMALL_BODY  (32 * 1024)
#define LARGE_SETS  8 /* and 16 of up to 128 KiB */
#define LARGE_BODY  (128 * 1024)

struct class_entry {
	_Atomic unsigned lock;
	unsigned generation;
	time_t expires;
	int64_t user_id; /* 0: empty */
	uint8_t digest[LISTCACHE_KEY_LEN];
};

struct slot {
	_Atomic unsigned lock;
	unsigned generation;
	time_t expires; /* 0: empty */
	uint8_t key[LISTCACHE_KEY_LEN];
	size_t len;
};

struct shared {
	_Atomic unsigned generation;
	struct class_entry classes[CLASS_SLOTS];
	struct {
		struct slot s;
		char body[SMALL_BODY];
	} small[SMALL_SETS * 2];
	struct {
		struct slot s;
		char body[LARGE_BODY];
	} large[LARGE_SETS * 2];
};

/* A slot with its body. */
struct place {
	struct slot *s;
	char *body;
	size_t size;
};

static struct shared *area;
static unsigned put_generation; /* of this request; 0: do not put */
static bool enabled = true;
/* The class in the last key listcache_key made, when it is a user's. */
static uint8_t key_class[LISTCACHE_KEY_LEN];
static bool key_class_is_users;

void
listcache_enable(bool on)
{
	enabled = on;
}

bool
listcache_enabled(void)
{
	return enabled;
}

int
listcache_share(void)
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
listcache_flush(void)
{
	if (get_area() != NULL)
		atomic_fetch_add(&area->generation, 1);
	put_generation = 0;
}

void
listcache_begin(void)
{
	put_generation = get_area() ? atomic_load(&area->generation) : 0;
}

/* The generation a put carries: 0 if the cache is off, or if the data
 * changed since the request began (what it read may be stale). */
static unsigned
generation_to_put(void)
{
	if (cache_ttl() == 0 || area == NULL ||
	    put_generation != atomic_load(&area->generation))
		return 0;
	return put_generation;
}

static bool
live(unsigned generation, time_t expires)
{
	return expires > cache_clock() &&
	       generation == atomic_load(&area->generation);
}

/*
 * The facts about user_id the lists' visibility reads, as text: the
 * memberships that change what they see (of private projects, and as
 * manager of a project with private issues), then ";self" if they are
 * the author or assignee of a private issue. NULL: no answer.
 */
static PGresult *
class_query(struct app *app, const char *user_id)
{
	const char *values[1] = { user_id };

	return db_query(app,
	    "SELECT coalesce(string_agg(m.project_id || ':' || m.role, ',' "
	    "ORDER BY m.project_id), '') || CASE WHEN EXISTS (SELECT 1 "
	    "FROM issues i WHERE i.is_private AND (i.author_id = $1::bigint "
	    "OR i.assigned_to_id = $1::bigint)) THEN ';self' ELSE '' END "
	    "FROM members m JOIN projects p ON p.id = m.project_id "
	    "WHERE m.user_id = $1::bigint AND (NOT p.is_public OR "
	    "(m.role = 'manager' AND EXISTS (SELECT 1 FROM issues i WHERE "
	    "i.project_id = p.id AND i.is_private)))",
	    1, values);
}

/*
 * A class's digest from class_query's text (user_id counts only if the
 * text ends in ";self"). Anonymous is the empty text: what any user
 * without memberships that matter sees.
 */
static void
class_digest(
    const char *text, long long user_id, uint8_t digest[LISTCACHE_KEY_LEN])
{
	crypto_generichash_state st;
	char self[32];
	size_t len = strlen(text);

	crypto_generichash_init(&st, NULL, 0, LISTCACHE_KEY_LEN);
	crypto_generichash_update(&st, (const uint8_t *)"user:", 5);
	crypto_generichash_update(&st, (const uint8_t *)text, len);
	if (len >= 5 && strcmp(text + len - 5, ";self") == 0) {
		snprintf(self, sizeof(self), "=%lld", user_id);
		crypto_generichash_update(
		    &st, (const uint8_t *)self, strlen(self));
	}
	crypto_generichash_final(&st, digest, LISTCACHE_KEY_LEN);
}

/* The acting user's class, read now. 0 or -1. */
static int
class_from_db(struct api *a, uint8_t digest[LISTCACHE_KEY_LEN])
{
	char id[24];
	PGresult *res;

	snprintf(id, sizeof(id), "%lld", (long long)a->user->id);
	if ((res = class_query(a->app, id)) == NULL)
		return -1;
	class_digest(PQgetvalue(res, 0, 0), (long long)a->user->id, digest);
	PQclear(res);
	return 0;
}

/* The digest of the acting user's class: from the table, or asked and
 * kept. 0 or -1. */
static int
user_class(struct api *a, uint8_t digest[LISTCACHE_KEY_LEN])
{
	int64_t uid = a->user->id;
	struct class_entry *e = &area->classes[uid % CLASS_SLOTS];
	unsigned gen;
	bool hit = false;

	if (uid <= 0)
		return -1;
	if (cache_trylock(&e->lock)) {
		if ((hit = e->user_id == uid &&
			   live(e->generation, e->expires)))
			memcpy(digest, e->digest, LISTCACHE_KEY_LEN);
		cache_unlock(&e->lock);
	}
	if (hit)
		return 0;
	if (class_from_db(a, digest) != 0)
		return -1;
	if ((gen = generation_to_put()) != 0 && cache_trylock(&e->lock)) {
		e->user_id = uid;
		e->generation = gen;
		e->expires = cache_clock() + cache_ttl();
		memcpy(e->digest, digest, LISTCACHE_KEY_LEN);
		cache_unlock(&e->lock);
	}
	return 0;
}

/*
 * Hash the query string without the credentials (key=, api_key=): what
 * else it holds is part of the key as sent. True if it may name the
 * acting user: assigned_to_id=me, or anything %-encoded (which could spell
 * "me" otherwise).
 */
static bool
hash_query(crypto_generichash_state *st, const char *q, size_t len)
{
	const char *end = q + len, *amp;
	size_t n, name;
	bool personal = false;

	for (; q < end; q = amp + 1) {
		if ((amp = memchr(q, '&', (size_t)(end - q))) == NULL)
			amp = end;
		n = (size_t)(amp - q);
		name = strcspn(q, "=&");
		if (name > n)
			name = n;
		if ((name == 3 && memcmp(q, "key", 3) == 0) ||
		    (name == 7 && memcmp(q, "api_key", 7) == 0))
			continue;
		if (memmem(q, n, "me", 2) != NULL || memchr(q, '%', n) != NULL)
			personal = true;
		crypto_generichash_update(st, (const uint8_t *)q, n);
		crypto_generichash_update(st, (const uint8_t *)"&", 1);
	}
	return personal;
}

int
listcache_key(struct api *a, uint8_t key[LISTCACHE_KEY_LEN])
{
	uint8_t class[LISTCACHE_KEY_LEN];
	crypto_generichash_state st;
	const struct request *req = a->req;
	char fmt = (char)('0' + a->fmt), me[32];

	if (!enabled || get_area() == NULL || cache_ttl() == 0)
		return -1;
	/* Administrators see everything; anonymous what any user without a
	 * class of their own sees. */
	key_class_is_users = false;
	if (a->user != NULL && a->user->admin) {
		crypto_generichash(
		    class, sizeof(class), (const uint8_t *)"admin", 5, NULL, 0);
	} else if (a->user == NULL) {
		class_digest("", 0, class);
	} else if (user_class(a, class) == 0) {
		memcpy(key_class, class, sizeof(class));
		key_class_is_users = true;
	} else {
		return -1;
	}
	crypto_generichash_init(&st, NULL, 0, LISTCACHE_KEY_LEN);
	crypto_generichash_update(&st, class, sizeof(class));
	crypto_generichash_update(&st, (const uint8_t *)&fmt, 1);
	crypto_generichash_update(
	    &st, (const uint8_t *)req->path, strlen(req->path) + 1);
	if (hash_query(&st, req->query, req->query_len)) {
		snprintf(me, sizeof(me), "\nme=%lld",
		    a->user ? (long long)a->user->id : 0LL);
		crypto_generichash_update(&st, (const uint8_t *)me, strlen(me));
	}
	crypto_generichash_final(&st, key, LISTCACHE_KEY_LEN);
	return 0;
}

/* The two places of key's set in a tier (0: small, 1: large). */
static void
set_of(int tier, const uint8_t key[LISTCACHE_KEY_LEN], struct place p[2])
{
	unsigned h = key[0] | (unsigned)key[1] << 8, i, at;

	for (i = 0; i < 2; i++) {
		if (tier == 0) {
			at = h % SMALL_SETS * 2 + i;
			p[i] = (struct place){ &area->small[at].s,
				area->small[at].body, SMALL_BODY };
		} else {
			at = h % LARGE_SETS * 2 + i;
			p[i] = (struct place){ &area->large[at].s,
				area->large[at].body, LARGE_BODY };
		}
	}
}

bool
listcache_get(const uint8_t key[LISTCACHE_KEY_LEN], struct api *a)
{
	struct place p[2];
	struct slot *e;
	bool hit = false;
	int tier, i;

	for (tier = 0; tier < 2 && !hit; tier++) {
		set_of(tier, key, p);
		for (i = 0; i < 2 && !hit; i++) {
			e = p[i].s;
			if (!cache_trylock(&e->lock))
				continue;
			hit =
			    e->expires != 0 &&
			    live(e->generation, e->expires) &&
			    sodium_memcmp(e->key, key, LISTCACHE_KEY_LEN) == 0;
			if (hit) {
				resp_status(a->resp, 200);
				buf_append(&a->resp->body, p[i].body, e->len);
			}
			cache_unlock(&e->lock);
		}
	}
	if (hit)
		a->resp->content_type = emit_content_type(a->fmt);
	return hit;
}

static void
put(const uint8_t key[LISTCACHE_KEY_LEN], const struct response *resp)
{
	struct place p[2], *e;
	struct slot *s0, *s1;
	unsigned gen = generation_to_put();
	size_t len = resp->body.len;

	if (gen == 0 || resp->status != 200 || resp->headers.len != 0 ||
	    len == 0 || len > LARGE_BODY)
		return;
	set_of(len <= SMALL_BODY ? 0 : 1, key, p);
	s0 = p[0].s;
	s1 = p[1].s;
	/* Both slots of the set, or no put: the victim is chosen under the
	 * locks. The slot of this key, else a dead one, else the one that
	 * expires first (the older). */
	if (!cache_trylock(&s0->lock))
		return;
	if (!cache_trylock(&s1->lock)) {
		cache_unlock(&s0->lock);
		return;
	}
	if (sodium_memcmp(s0->key, key, LISTCACHE_KEY_LEN) == 0)
		e = &p[0];
	else if (sodium_memcmp(s1->key, key, LISTCACHE_KEY_LEN) == 0)
		e = &p[1];
	else if (!live(s0->generation, s0->expires))
		e = &p[0];
	else if (!live(s1->generation, s1->expires))
		e = &p[1];
	else
		e = s0->expires <= s1->expires ? &p[0] : &p[1];
	memcpy(e->s->key, key, LISTCACHE_KEY_LEN);
	memcpy(e->body, resp->body.data, len);
	e->s->len = len;
	e->s->generation = gen;
	e->s->expires = cache_clock() + cache_ttl();
	cache_unlock(&s1->lock);
	cache_unlock(&s0->lock);
}

void
listcache_fill(const uint8_t key[LISTCACHE_KEY_LEN], struct api *a,
    void (*handler)(struct api *))
{
	uint8_t now[LISTCACHE_KEY_LEN];
	bool keep;

	/* Administrators' and anonymous classes do not depend on the
	 * data: any snapshot is theirs. */
	if (!key_class_is_users) {
		handler(a);
		put(key, a->resp);
		return;
	}
	if (db_command(a->app,
		"BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", 0,
		NULL) != 0) {
		handler(a); /* says 503 itself if the database is away */
		return;
	}
	handler(a);
	keep = a->resp->status == 200 && class_from_db(a, now) == 0 &&
	       sodium_memcmp(now, key_class, sizeof(now)) == 0;
	if (db_command(a->app, "COMMIT", 0, NULL) != 0)
		keep = false;
	if (keep)
		put(key, a->resp);
}
