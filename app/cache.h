/*
 * cache.h: this worker's cache of verified credentials (SPEC section 5),
 * the lk_resolver_hooks cache_get/cache_put. Entries live cache_ttl
 * seconds and all go at once when a NOTIFY on latchkey_auth says users or
 * keys changed, or the database connection was lost (a NOTIFY may have
 * been missed).
 */
#ifndef CACHE_H
#define CACHE_H

#include "app.h"

/* Size the cache; ttl 0 turns it off. */
void cache_configure(unsigned ttl);
/* Forget everything. */
void cache_flush(void);
/* What profile.c keeps lives and dies with the cache: its generation
 * (bumped by every flush) and its lifetime in seconds (0: off). */
unsigned cache_generation(void);
unsigned cache_ttl(void);

bool cache_get(void *ctx, const uint8_t id[LK_DIGEST_LEN], struct lk_user *out,
    bool *found);
void cache_put(
    void *ctx, const uint8_t id[LK_DIGEST_LEN], const struct lk_user *u);

#endif
