/*
 * profile.h: the pool's copy of users' own records as /users/current
 * and /my/account show them (with the sealed copy of the key, never the
 * key), so the hottest request needs no query once a user has been seen.
 * It lives and dies with the credential cache (cache.h): shared by the
 * pool the same way, the same TTL, emptied by the same NOTIFY, which sql/
 * fires on every change to a column shown here or to a key.
 */
#ifndef PROFILE_H
#define PROFILE_H

#include <stdint.h>

#define PROFILE_FIELDS 12 /* USER_SQL's columns, see res_users.c */

struct profile {
	const char *v[PROFILE_FIELDS]; /* NULL for SQL NULL */
	char blob[384];                /* a larger record is not kept */
};

/* In the master, before forking (cache_share does it): map the table
 * shared. 0 or -1. */
int profile_share(void);
/* The user's record into *p (pointers into p->blob): true on a hit. */
bool profile_get(int64_t user_id, struct profile *p);
/* Remember the record whose fields are v (NULL for SQL NULL); a record
 * too large for the blob is simply not kept. */
void profile_put(int64_t user_id, const char *const v[PROFILE_FIELDS]);

#endif
