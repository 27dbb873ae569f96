/*
 * lk_auth.h: liblatchkey_auth, credential verification and resolution.
 *
 * Turns what a request carries (query string, Authorization,
 * X-Redmine-API-Key, X-Redmine-Switch-User) into the user it acts as, or
 * into a refusal, by SPEC sections 3 to 5. It uses libsodium and libxcrypt
 * and reaches the database only through struct lk_store, so the whole
 * resolver runs in unit tests over an in-memory store.
 *
 * Deny is not error: a refusal is a verdict (LK_DENY_*), a store that cannot
 * answer is LK_UNAVAILABLE, and nothing here turns one into the other.
 */
#ifndef LK_AUTH_H
#define LK_AUTH_H

#include "lk_parse.h"

/* --- secret.c: sub-keys of the server secret ---------------------------- */

#define LK_SECRET_LEN 32

/* Independent sub-keys, derived with crypto_kdf from the server secret. */
struct lk_keys {
	uint8_t token_digest[32]; /* keyed BLAKE2b of API keys, for lookup */
	uint8_t token_seal[32];   /* secretbox of API keys, for display */
	uint8_t session[32];      /* secretbox of sign-in cookies */
	uint8_t csrf[32];         /* keyed BLAKE2b of CSRF tokens */
	uint8_t cache[32];        /* keyed BLAKE2b of cached credentials */
};

/* Call once per process before anything else here (sodium_init). */
enum lk_err lk_secret_init(void) LK_MUST_CHECK;

/* Derive all sub-keys from the 32-byte server secret. */
void lk_secret_derive(struct lk_keys *out, const uint8_t secret[LK_SECRET_LEN]);

/* --- sha1.c ------------------------------------------------------------- */

#define LK_SHA1_LEN 20

/* SHA-1 of buf[0..len): only to read Redmine's legacy password hashes. */
void lk_sha1(const void *buf, size_t len, uint8_t out[LK_SHA1_LEN]);

/* --- token.c: API keys -------------------------------------------------- */

#define LK_DIGEST_LEN 32
/* nonce (24) + MAC (16) + 40 characters */
#define LK_SEALED_LEN (24 + 16 + LK_KEY_LEN)

/* A fresh key: 20 bytes of randombytes_buf as 40 lowercase hex + NUL. */
void lk_token_generate(char out[LK_KEY_LEN + 1]);

/* The lookup digest of a key as sent (any bytes, any length). */
void lk_token_digest(const struct lk_keys *keys, const char *key, size_t len,
    uint8_t out[LK_DIGEST_LEN]);

/* Seal a 40-character key for storage (random nonce). */
void lk_token_seal(const struct lk_keys *keys, const char key[LK_KEY_LEN],
    uint8_t out[LK_SEALED_LEN]);

/* Open a sealed key into out (40 characters + NUL). LK_ECRYPTO if forged,
 * sealed under another secret, or not of LK_SEALED_LEN bytes. */
enum lk_err lk_token_unseal(const struct lk_keys *keys, const uint8_t *sealed,
    size_t len, char out[LK_KEY_LEN + 1]) LK_MUST_CHECK;

/* --- password.c --------------------------------------------------------- */

#define LK_HASH_MAX                                                            \
	256 /* a stored hash, with room for crypto_pwhash_STRBYTES */

struct lk_password_cost {
	unsigned long long opslimit;
	size_t memlimit;
};

enum lk_pw_verdict {
	LK_PW_MATCH,
	LK_PW_MISMATCH,
	LK_PW_UNREADABLE, /* the stored hash is of no known form */
};

/* Hash a password with argon2id at the given cost into out (NUL-ended). */
enum lk_err lk_password_hash(const struct lk_password_cost *cost,
    const char *pw, size_t pwlen, char out[LK_HASH_MAX]) LK_MUST_CHECK;

/*
 * Verify a password against a stored hash of any accepted form: argon2id,
 * bcrypt ($2a$ $2b$ $2y$, through libxcrypt), Redmine's SHA-1 with its salt
 * (salt may be NULL for the others). A malformed hash is LK_PW_UNREADABLE,
 * never a match.
 */
enum lk_pw_verdict lk_password_verify(
    const char *hash, const char *salt, const char *pw, size_t pwlen);

/* True if hash is not argon2id at exactly this cost, so a successful login
 * should store a new hash. */
bool lk_password_needs_upgrade(
    const struct lk_password_cost *cost, const char *hash);

/* --- The store: what the resolver needs from the database -------------- */

enum lk_user_status {
	LK_STATUS_ACTIVE = 1, /* Redmine's numbers */
	LK_STATUS_REGISTERED = 2,
	LK_STATUS_LOCKED = 3,
};

struct lk_user {
	int64_t id;
	char login[LK_LOGIN_MAX + 1];
	char hashed_password[LK_HASH_MAX];
	char salt[LK_HASH_MAX];
	int status; /* enum lk_user_status */
	bool admin;
	bool must_change_passwd;
	int64_t token_id; /* of the key that authenticated, or 0 */
	bool token_stale; /* its last_used_on is over a minute old */
};

/*
 * Every callback returns LK_OK (out filled), LK_ENOTFOUND, or LK_ESTORE
 * (the store could not answer; the request gets 503).
 */
struct lk_store {
	void *ctx;
	/* A user by login, compared case-insensitively. login is valid UTF-8
	 * without NUL, at most LK_LOGIN_MAX bytes. */
	enum lk_err (*user_by_login)(
	    void *ctx, const char *login, struct lk_user *out);
	/* The owner of the key whose digest this is. */
	enum lk_err (*user_by_key)(void *ctx,
	    const uint8_t digest[LK_DIGEST_LEN], struct lk_user *out);
	/* Record that a key was used now. */
	enum lk_err (*key_touch)(void *ctx, int64_t token_id);
	/* Replace old_hash by new_hash (argon2id) if it is still old_hash. */
	enum lk_err (*password_upgrade)(void *ctx, int64_t user_id,
	    const char *old_hash, const char *new_hash);
};

/* --- resolve.c: credential resolution (SPEC section 3) ------------------ */

struct lk_settings {
	bool rest_api_enabled;
	bool login_required;
};

/* What the request carries. Pointers may be NULL (absent); values are not
 * NUL-terminated and may hold any bytes. */
struct lk_creds {
	const char *query;
	size_t query_len;
	const char *authorization;
	size_t authorization_len;
	const char *api_key; /* X-Redmine-API-Key */
	size_t api_key_len;
	bool api_key_repeated;       /* the header came more than once */
	bool authorization_repeated; /* Authorization came more than once */
	const char *switch_user;     /* X-Redmine-Switch-User */
	size_t switch_user_len;
	bool switch_user_repeated; /* it came more than once */
};

enum lk_via {
	LK_VIA_NONE,
	LK_VIA_QUERY,     /* ?key= or ?api_key= */
	LK_VIA_HEADER,    /* X-Redmine-API-Key */
	LK_VIA_PASSWORD,  /* Basic login:password */
	LK_VIA_BASIC_KEY, /* Basic KEY:anything */
	LK_VIA_BEARER,    /* Bearer KEY */
};

enum lk_verdict {
	LK_ANONYMOUS,        /* no credentials at all */
	LK_AUTHENTICATED,    /* res->user acts */
	LK_DENY_CONFLICT,    /* 400: the key parameter twice, differently */
	LK_DENY_REST_OFF,    /* 403: credentials while the REST API is off */
	LK_DENY_KEY,         /* 401, no challenge: a bad key (query, header) */
	LK_DENY_BASIC,       /* 401 with the Basic challenge */
	LK_DENY_BEARER,      /* 401 with a Bearer invalid_token error */
	LK_DENY_MUST_CHANGE, /* 403: password login that must change it */
	LK_DENY_SWITCH,      /* 412: switch-user target not usable */
	LK_UNAVAILABLE,      /* 503: the store could not answer */
	LK_BUSY,             /* 503: no free slot for a password check */
};

struct lk_resolution {
	enum lk_verdict verdict;
	enum lk_via via;
	struct lk_user user; /* the acting user, when LK_AUTHENTICATED */
	bool switched;       /* an administrator acts as user */
	char admin_login[LK_LOGIN_MAX + 1]; /* who switched, when switched */
	/* For the failure log: a short constant reason, and the login tried
	 * (empty unless a password login; never a key or a password). */
	const char *reason;
	char login[LK_LOGIN_MAX + 1];
};

/* Optional hooks; any may be NULL. */
struct lk_resolver_hooks {
	void *ctx;
	/* Bound concurrent argon2id checks across the pool: enter takes a
	 * slot if one is free and answers false at once if none is (the
	 * request then gets 503 rather than tying up its worker); leave
	 * releases. */
	bool (*slow_enter)(void *ctx);
	void (*slow_leave)(void *ctx);
	/* Told of every password verification made (real or dummy): lets
	 * the tests count them. */
	void (*slow_check)(void *ctx);
	/* A cache of verified credentials. id is a keyed hash of the
	 * credential (a key's lookup digest, or of login and password: never
	 * the secret itself). get answers true on a hit, with *found false
	 * for a remembered refusal; put with u NULL remembers a refusal. The
	 * owner empties it whenever users or keys change (NOTIFY). */
	bool (*cache_get)(void *ctx, const uint8_t id[LK_DIGEST_LEN],
	    struct lk_user *out, bool *found);
	void (*cache_put)(void *ctx, const uint8_t id[LK_DIGEST_LEN],
	    const struct lk_user *u);
};

struct lk_resolver {
	const struct lk_keys *keys;
	const struct lk_store *store;
	struct lk_password_cost cost;
	struct lk_resolver_hooks hooks;
	char dummy_hash[LK_HASH_MAX]; /* argon2id at cost, of no password */
};

/* Prepare a resolver (computes the dummy hash: one argon2id at cost). */
enum lk_err lk_resolver_init(struct lk_resolver *r, const struct lk_keys *keys,
    const struct lk_store *store,
    const struct lk_password_cost *cost) LK_MUST_CHECK;

/* True if the request carries any credential at all (a key parameter, even
 * a malformed one, the key header, or Authorization). */
bool lk_creds_present(const struct lk_creds *creds);

/* Resolve the credentials of one request. Always fills res->verdict. */
void lk_resolve(const struct lk_resolver *r, const struct lk_settings *settings,
    const struct lk_creds *creds, struct lk_resolution *res);

/*
 * A sign-in form's login and password: the same checks, cache, gate and
 * timing as Basic login:password (no key fallback, no REST switch).
 * res->verdict is LK_AUTHENTICATED, LK_DENY_BASIC (wrong password, unknown,
 * locked or registered user: one answer for all), LK_DENY_MUST_CHANGE (the
 * password was right: res->user says who, to change it), LK_UNAVAILABLE or
 * LK_BUSY.
 */
void lk_login(const struct lk_resolver *r, const char *login, size_t loginlen,
    const char *pw, size_t pwlen, struct lk_resolution *res);

/* The verdict's HTTP status (200 for ANONYMOUS and AUTHENTICATED). */
int lk_verdict_status(enum lk_verdict v);

#endif /* LK_AUTH_H */
