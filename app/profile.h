/*
 * profile.h: the pool's copy of users' own records as /users/current
 * and /my/account show them (with the sealed copy of the key, never the
 * key), so the hottest request needs no query once a user has been seen.
 * Shared by the pool as the credential cache is (cache.h), with the same
 * TTL, and emptied with it (cache_flush: a key, a status, a login changed);
 * a change to a column only these records show (a name, mail,
 * last_login_on) empties them alone (NOTIFY latchkey_profile, sql/007),
 * so a sign-in on the web does not cost Basic clients their cached
 * credentials.
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
/* Forget every record, in every worker. */
void profile_flush(void);
/* At the start of a request (cache_begin does it). */
void profile_begin(void);
/* The user's record into *p (pointers into p->blob): true on a hit. */
bool profile_get(int64_t user_id, struct profile *p);
/* Remember the record whose fields are v (NULL for SQL NULL); a record
 * too large for the blob is simply not kept. */
void profile_put(int64_t user_id, const char *const v[PROFILE_FIELDS]);

#endif
