/*
 * cache.h: the pool's cache of verified credentials (SPEC section 5), the
 * lk_resolver_hooks cache_get/cache_put. The master maps it before it
 * forks (cache_share), so a credential verified by one worker is known to
 * all; a process that never shares it (the admin tool, the tests) gets a
 * private one. Entries live cache_ttl seconds and all go at once when a
 * NOTIFY on latchkey_auth says users or keys changed, or a worker lost its
 * database connection (a NOTIFY may have been missed).
 */
#ifndef CACHE_H
#define CACHE_H

#include "app.h"

/* In the master, before forking: map the cache (and profile.c's and
 * listcache.c's) shared.
 * 0 or -1 (errno set). */
int cache_share(void);
/* Set the lifetime; ttl 0 turns the cache off. */
void cache_configure(unsigned ttl);
/* Forget everything, in every worker. */
void cache_flush(void);
/*
 * At the start of a request, after the NOTIFYs were read: what is put
 * from now on is tagged with the present generation, and is not put at
 * all if a flush came in between (it may have been read before a change
 * another worker already announced).
 */
void cache_begin(void);
/* The lifetime of entries, for profile.c and listcache.c too. */
unsigned cache_ttl(void);

/* A slot's lock, for profile.c too: taken or not, never waited for (a
 * worker killed holding it costs that slot, not the pool). */
bool cache_trylock(_Atomic unsigned *lock);
void cache_unlock(_Atomic unsigned *lock);
/* Seconds of the monotonic clock, for lifetimes. */
time_t cache_clock(void);
/* Anonymous shared memory of size bytes, zeroed; NULL if none. */
void *cache_map(size_t size);

bool cache_get(void *ctx, const uint8_t id[LK_DIGEST_LEN], struct lk_user *out,
    bool *found);
void cache_put(
    void *ctx, const uint8_t id[LK_DIGEST_LEN], const struct lk_user *u);

#endif
