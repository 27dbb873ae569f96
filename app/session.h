/*
 * session.h: the sign-in cookie of the HTML pages (SPEC section 8).
 *
 * Sessions live in the browser, as Redmine's encrypted cookie store does:
 * the cookie is a crypto_secretbox of the user id, an expiry, the user's
 * password stamp and a random CSRF seed, under the session sub-key of the
 * server secret, base64url without padding. Nothing is kept on the server,
 * so a cookie that does not open (forged, garbled, sealed under another
 * secret) or has expired is simply "not signed in". Only the pages read
 * it: the API router never looks at the Cookie header.
 */
#ifndef SESSION_H
#define SESSION_H

#include "app.h"

#define SESSION_COOKIE   "latchkey_session"
#define SESSION_SEED_LEN 16
/* Longer cookie values are not ours: refused before any decoding. */
#define SESSION_VALUE_MAX 256
/* A Cookie header longer than this is ignored whole. */
#define SESSION_HEADER_MAX 8192

struct session {
	int64_t user_id;
	int64_t expires; /* Unix time */
	/* The user's passwd_changed_on in microseconds (0: never), so that
	 * a password change ends every other session. */
	int64_t pw_stamp;
	uint8_t seed[SESSION_SEED_LEN]; /* of this session's CSRF token */
};

/*
 * Find the cookie called name in a Cookie header value (hdr may be NULL):
 * 1 with *value and *vlen set if it is there once, 0 if it is not, -1 if
 * it is there twice (a cookie tossed in from elsewhere: trust neither) or
 * the header is over SESSION_HEADER_MAX. Pure: no I/O, fuzzable.
 */
int session_cookie_find(
    const char *hdr, const char *name, const char **value, size_t *vlen);

/* A new session of user_id with a fresh seed, lasting lifetime seconds
 * from now. */
void session_new(struct session *s, int64_t user_id, int64_t pw_stamp,
    int64_t now, unsigned lifetime);

/* Seal s (random nonce) into out as base64url, NUL-ended. */
void session_seal(const struct lk_keys *keys, const struct session *s,
    char out[SESSION_VALUE_MAX + 1]);

/*
 * Open a cookie value v[0..len): 0 with *s filled if it was sealed under
 * keys and has not expired at now; -1 for anything else (too long, not
 * base64url, forged, another version, expired). *s is untouched on -1.
 */
int session_open(const struct lk_keys *keys, const char *v, size_t len,
    int64_t now, struct session *s);

/*
 * Add a Set-Cookie header: name=value with HttpOnly, SameSite=Lax, the
 * path, and Secure when secure. value NULL expires the cookie. A browser
 * session cookie otherwise: the sealed expiry is what counts.
 */
void session_set_cookie(struct response *resp, const char *name,
    const char *value, const char *path, bool secure);

#endif
