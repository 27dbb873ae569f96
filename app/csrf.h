/*
 * csrf.h: the tokens that every form of the HTML pages carries in a
 * hidden field, so that a form posted from another site changes nothing.
 *
 * A token is keyed BLAKE2b (the csrf sub-key of the server secret) of a
 * random seed the browser holds sealed or in a cookie, so it cannot be
 * forged without the seed and the server secret, and no server state is
 * needed. Signed in, the seed is the session's (session.h); before that
 * (the sign-in form), it is a random pre-session cookie.
 */
#ifndef CSRF_H
#define CSRF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lk_auth.h"

#define CSRF_FIELD             "authenticity_token" /* Redmine's name for it */
#define CSRF_TOKEN_LEN         43                   /* base64url of 32 bytes */
#define CSRF_PRESESSION_COOKIE "latchkey_presession"
#define CSRF_PRESESSION_LEN    22 /* base64url of 16 random bytes */

/* The token of a session seed. */
void csrf_session_token(const struct lk_keys *keys, const uint8_t *seed,
    size_t seedlen, char out[CSRF_TOKEN_LEN + 1]);

/* A new pre-session cookie value (random). */
void csrf_presession_new(char out[CSRF_PRESESSION_LEN + 1]);

/* The token of a pre-session cookie value v[0..len): 0, or -1 if v is not
 * one of ours in shape (then out is untouched). */
int csrf_presession_token(const struct lk_keys *keys, const char *v, size_t len,
    char out[CSRF_TOKEN_LEN + 1]);

/* Whether got[0..len) is the expected token, in constant time. An empty
 * expected token matches nothing. */
bool csrf_check(const char *expected, const char *got, size_t len);

#endif
