/*
 * listcache.h: the pool's cache of rendered lists (GET /projects, /news,
 * /projects/ID/news, /issues, /projects/ID/issues), shared by the workers
 * as cache.h's is, so a page that many clients ask for is rendered once
 * per change, not once per request.
 *
 * Who may see what is part of the key: not the user, but the user's
 * "view class", the few facts the lists' visibility rules read (SPEC
 * section 7): administrator or not, memberships of private projects,
 * manager memberships of projects with private issues, and whether the
 * user authored or is assigned a private issue (then the class is theirs
 * alone). Users of one class see exactly the same lists, anonymous
 * included. Only 200 answers are kept.
 *
 * Everything goes at once when the data changes: NOTIFY on latchkey_data
 * (sql/005: any write to a table a list shows, by any client; a write
 * answered by this pool applies its own before its answer leaves), a
 * write whose outcome is unknown (502), a lost database connection; and
 * entries live cache_ttl seconds at most (0 turns the cache off).
 */
#ifndef LISTCACHE_H
#define LISTCACHE_H

#include "app.h"

struct api; /* api.h: not included, pages (page.h) include this too */

#define LISTCACHE_KEY_LEN 32

/* In the master, before forking: map the cache shared. 0 or -1. */
int listcache_share(void);
/* Whether this worker may use the cache: only where the schema announces
 * every change (db.c checks at each connection). On until told. */
void listcache_enable(bool on);
bool listcache_enabled(void);
/* The data changed: forget every list, in every worker. */
void listcache_flush(void);
/* At the start of a request, after the NOTIFYs were read (as
 * cache_begin). */
void listcache_begin(void);
/*
 * The key of this GET for the acting user: 0, or -1 if the user's class
 * could not be read (then serve without the cache; the database is in
 * trouble and the handler will say so).
 */
int listcache_key(struct api *a, uint8_t key[LISTCACHE_KEY_LEN]);
/* Answer from the cache: true if resp now holds the list. */
bool listcache_get(const uint8_t key[LISTCACHE_KEY_LEN], struct api *a);
/*
 * A miss: answer with handler, and keep the answer if it is a 200 small
 * enough, read in this generation. For a user's class, the list and the
 * class are read in one snapshot, and the list is kept only if the class
 * is still the key's: a change committed in between (a membership, a
 * private issue assigned) would otherwise put what one class sees under
 * another's key.
 */
void listcache_fill(const uint8_t key[LISTCACHE_KEY_LEN], struct api *a,
    void (*handler)(struct api *));

#endif
