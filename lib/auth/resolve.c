/*
 * resolve.c: which user does this request act as? SPEC section 3.
 *
 * One function, called once per request before any resource is chosen, so
 * every route resolves credentials the same way by construction.
 *
 * Order (Redmine's): a key in the query string, else the X-Redmine-API-Key
 * header, else Authorization. When a key is present, Authorization is not
 * looked at. Basic is tried as login/password first, then its user part as
 * a key. Every path that ends in "no such user" or "unusable user" spends
 * one argon2id verification, like a wrong password, so timing does not
 * tell which logins exist.
 */
#include <sodium.h>
#include <string.h>

#include "lk_auth.h"

static const char *const key_params[] = { "key", "api_key", NULL };

/*
 * May this login go into the failure log? Not if it could be a key: a run
 * of 32 or more hex digits in any case (a key pasted into the user field,
 * upper-cased, with a space after it...). Real logins do not look so.
 */
static bool
loggable(const char *s, size_t len)
{
	size_t i, run = 0;

	for (i = 0; i < len; i++) {
		bool hex = (s[i] >= '0' && s[i] <= '9') ||
			   (s[i] >= 'a' && s[i] <= 'f') ||
			   (s[i] >= 'A' && s[i] <= 'F');

		run = hex ? run + 1 : 0;
		if (run >= 32)
			return false;
	}
	return true;
}

static void
deny(struct lk_resolution *res, enum lk_verdict v, const char *reason)
{
	res->verdict = v;
	res->reason = reason;
}

/*
 * A slot of the pool-wide gate on password checks (hooks.slow_enter),
 * taken at most once per request however many checks it makes, and
 * given back by the caller that took it.
 */
struct slot {
	const struct lk_resolver *r;
	bool held;
};

static bool
slot_take(struct slot *s)
{
	if (s->held || s->r->hooks.slow_enter == NULL)
		return true;
	s->held = s->r->hooks.slow_enter(s->r->hooks.ctx);
	return s->held;
}

static void
slot_give(struct slot *s)
{
	if (s->held && s->r->hooks.slow_leave)
		s->r->hooks.slow_leave(s->r->hooks.ctx);
	s->held = false;
}

/* Count a password verification, for the tests (hooks.slow_check). */
static void
checked(const struct lk_resolver *r)
{
	if (r->hooks.slow_check)
		r->hooks.slow_check(r->hooks.ctx);
}

/*
 * Spend what a wrong password costs, on a hash no password matches. False
 * if no slot was free: the caller must then answer 503 as a real check
 * would, or a busy pool would tell unknown logins (a quick 401) from known
 * ones (503).
 */
static bool
dummy_verify(struct slot *slot, const char *pw, size_t pwlen)
{
	if (!slot_take(slot))
		return false;
	(void)lk_password_verify(slot->r->dummy_hash, NULL, pw, pwlen);
	checked(slot->r);
	return true;
}

/* LK_ESTORE stands for "no slot for a slow check now": 503, not 401. */
static enum lk_err
slow_verify(struct slot *slot, const struct lk_user *u, const char *pw,
    size_t pwlen, enum lk_pw_verdict *v)
{
	if (!slot_take(slot))
		return LK_ESTORE;
	*v = lk_password_verify(u->hashed_password, u->salt, pw, pwlen);
	checked(slot->r);
	return LK_OK;
}

/* What the cache may hold of a user: no hash, no salt. */
static void
cache_put(const struct lk_resolver *r, const uint8_t id[LK_DIGEST_LEN],
    const struct lk_user *u)
{
	struct lk_user copy;

	if (r->hooks.cache_put == NULL)
		return;
	if (u == NULL) {
		r->hooks.cache_put(r->hooks.ctx, id, NULL);
		return;
	}
	copy = *u;
	lk_wipe(copy.hashed_password, sizeof(copy.hashed_password));
	lk_wipe(copy.salt, sizeof(copy.salt));
	copy.token_stale = false;
	r->hooks.cache_put(r->hooks.ctx, id, &copy);
	lk_wipe(&copy, sizeof(copy));
}

/*
 * The cache id of a password login: keyed BLAKE2b of the login as sent
 * and the password, so the cache never holds either. A Basic pair that
 * was answered by its user part as a key (KEY:X) has ids of its own
 * (key_pair), so that what the API accepted that way never answers the
 * sign-in form, which takes no keys.
 */
static void
password_id(const struct lk_resolver *r, bool key_pair, const char *login,
    size_t loginlen, const char *pw, size_t pwlen, uint8_t id[LK_DIGEST_LEN])
{
	crypto_generichash_state st;
	uint8_t len[9];
	size_t i;

	len[0] = key_pair;
	for (i = 0; i < 8; i++)
		len[i + 1] = (uint8_t)(loginlen >> (8 * i));
	crypto_generichash_init(
	    &st, r->keys->cache, sizeof(r->keys->cache), LK_DIGEST_LEN);
	/* The kind and the length first, so ("ab","c") and ("a","bc")
	 * differ. */
	crypto_generichash_update(&st, len, sizeof(len));
	crypto_generichash_update(&st, (const uint8_t *)login, loginlen);
	crypto_generichash_update(&st, (const uint8_t *)pw, pwlen);
	crypto_generichash_final(&st, id, LK_DIGEST_LEN);
	sodium_memzero(&st, sizeof(st));
}

/*
 * Look a key up. Returns LK_OK with res->user filled for an active owner,
 * LK_ENOTFOUND (with res->reason) for any refusal, LK_ESTORE if the store
 * could not answer.
 */
static enum lk_err
find_key_owner(const struct lk_resolver *r, const char *key, size_t len,
    struct lk_resolution *res)
{
	uint8_t digest[LK_DIGEST_LEN];
	enum lk_err err;
	bool hit;

	/* Every key we issue or import has this shape: anything else cannot
	 * match, so it costs no lookup. */
	if (!lk_apikey_shape(key, len)) {
		res->reason = "malformed key";
		return LK_ENOTFOUND;
	}
	lk_token_digest(r->keys, key, len, digest);
	if (r->hooks.cache_get &&
	    r->hooks.cache_get(r->hooks.ctx, digest, &res->user, &hit)) {
		if (hit)
			return LK_OK;
		res->reason = "unknown key";
		return LK_ENOTFOUND;
	}
	err = r->store->user_by_key(r->store->ctx, digest, &res->user);
	if (err == LK_ENOTFOUND) {
		res->reason = "unknown key";
		cache_put(r, digest, NULL);
	}
	if (err != LK_OK)
		return err;
	if (res->user.status != LK_STATUS_ACTIVE) {
		res->reason = res->user.status == LK_STATUS_LOCKED
				  ? "locked user"
				  : "inactive user";
		memset(&res->user, 0, sizeof(res->user));
		cache_put(r, digest, NULL);
		return LK_ENOTFOUND;
	}
	cache_put(r, digest, &res->user);
	/* last_used_on is bookkeeping: a failed write must not fail the
	 * request, and it is written at most once a minute per key. */
	if (res->user.token_stale && r->store->key_touch)
		(void)r->store->key_touch(r->store->ctx, res->user.token_id);
	return LK_OK;
}

static void
resolve_key(const struct lk_resolver *r, const char *key, size_t len,
    enum lk_via via, enum lk_verdict refusal, struct lk_resolution *res)
{
	res->via = via;
	switch (find_key_owner(r, key, len, res)) {
	case LK_OK:
		res->verdict = LK_AUTHENTICATED;
		break;
	case LK_ENOTFOUND:
		res->verdict = refusal;
		break;
	default:
		deny(res, LK_UNAVAILABLE, "store unavailable");
		break;
	}
}

static void
upgrade_hash(
    struct slot *slot, const struct lk_user *u, const char *pw, size_t pwlen)
{
	const struct lk_resolver *r = slot->r;
	char hash[LK_HASH_MAX];

	if (!lk_password_needs_upgrade(&r->cost, u->hashed_password))
		return;
	/* The slot of the check that just passed: already held. */
	if (!slot_take(slot))
		return;
	if (r->store->password_upgrade != NULL &&
	    lk_password_hash(&r->cost, pw, pwlen, hash) == LK_OK)
		(void)r->store->password_upgrade(
		    r->store->ctx, u->id, u->hashed_password, hash);
	lk_wipe(hash, sizeof(hash));
}

/*
 * Check a login and password against the store. LK_OK: res->user is set
 * (or res->verdict is LK_DENY_MUST_CHANGE). LK_ENOTFOUND: refused, with
 * res->reason, and *spent tells whether an argon2id check was paid.
 * LK_ESTORE: the store or the slow-check gate could not answer.
 */
static enum lk_err
check_password(struct slot *slot, const char *login, const char *pw,
    size_t pwlen, struct lk_resolution *res, bool *spent)
{
	const struct lk_resolver *r = slot->r;
	struct lk_user u;
	enum lk_pw_verdict v = LK_PW_UNREADABLE;
	enum lk_hashfmt fmt;
	enum lk_err err;

	err = r->store->user_by_login(r->store->ctx, login, &u);
	if (err != LK_OK)
		return err;
	fmt = lk_hashfmt_classify(u.hashed_password, strlen(u.hashed_password));
	if (u.status != LK_STATUS_ACTIVE) {
		res->reason = u.status == LK_STATUS_LOCKED ? "locked user"
							   : "inactive user";
		err = LK_ENOTFOUND;
	} else if (fmt == LK_HASH_UNREADABLE) {
		res->reason = "unreadable password hash";
		err = LK_ENOTFOUND;
	} else if ((err = slow_verify(slot, &u, pw, pwlen, &v)) == LK_OK) {
		/* Only argon2id at the configured cost costs what the dummy
		 * costs: a refusal against anything else (bcrypt, SHA-1, a
		 * cheaper argon2id) pays the dummy on top, so no known login
		 * answers faster than an unknown one. (A costly legacy hash
		 * still answers slower until its owner's next login upgrades
		 * it: README, Credentials.) A hash the verifier would not run
		 * (over the cost ceiling) is unreadable: nothing was spent. */
		*spent =
		    fmt == LK_HASH_ARGON2ID && v != LK_PW_UNREADABLE &&
		    !lk_password_needs_upgrade(&r->cost, u.hashed_password);
		if (v == LK_PW_UNREADABLE) {
			res->reason = "unreadable password hash";
			err = LK_ENOTFOUND;
		} else if (v == LK_PW_MATCH && u.must_change_passwd) {
			/* Who it is, for the sign-in form's change-password
			 * page; lk_resolve drops it with every refusal. */
			res->user = u;
			deny(res, LK_DENY_MUST_CHANGE, "must change password");
		} else if (v == LK_PW_MATCH) {
			upgrade_hash(slot, &u, pw, pwlen);
			res->user = u;
		} else {
			res->reason = "wrong password";
			err = LK_ENOTFOUND;
		}
	}
	lk_wipe(&u, sizeof(u));
	return err;
}

/*
 * A login and password (Basic, or the sign-in form); with_key, Redmine's
 * fallback of trying the user part as a key. A password login that the
 * cache cannot answer takes its gate slot before it even looks the login
 * up: when the pool is busy, a flood of guesses costs no query. A user
 * part shaped like a key waits until a check is needed, so Basic KEY:X
 * never needs a slot.
 */
static void
password_login(const struct lk_resolver *r, const char *user, size_t userlen,
    const char *pass, size_t passlen, bool with_key, struct lk_resolution *res)
{
	size_t loginlen = userlen;
	const char *login = lk_trim(user, &loginlen);
	bool keyish = with_key && lk_apikey_shape(user, userlen);
	bool spent = false, found;
	char name[LK_LOGIN_MAX + 1];
	uint8_t id[LK_DIGEST_LEN], pair[LK_DIGEST_LEN];
	struct slot slot = { r, false };
	const char *why;

	res->via = LK_VIA_PASSWORD;
	res->reason = "unknown login";
	/* A KEY:X pair the key answered before (the login lookup found
	 * nothing then, and a user created since empties the cache): no
	 * lookup at all. */
	if (keyish) {
		password_id(r, true, user, userlen, pass, passlen, pair);
		if (r->hooks.cache_get &&
		    r->hooks.cache_get(
			r->hooks.ctx, pair, &res->user, &found) &&
		    found) {
			res->via = LK_VIA_BASIC_KEY;
			res->verdict = LK_AUTHENTICATED;
			res->reason = NULL;
			return;
		}
	}
	if (loginlen > 0 && loginlen <= LK_LOGIN_MAX &&
	    lk_utf8_valid(login, loginlen)) {
		memcpy(name, login, loginlen);
		name[loginlen] = '\0';
		/* A user part that looks like a key: never log it. */
		if (loggable(name, loginlen))
			memcpy(res->login, name, loginlen + 1);
		password_id(r, false, name, loginlen, pass, passlen, id);
		if (r->hooks.cache_get &&
		    r->hooks.cache_get(r->hooks.ctx, id, &res->user, &found) &&
		    found) {
			res->verdict = LK_AUTHENTICATED;
			res->reason = NULL;
			return;
		}
		if (!keyish && !slot_take(&slot))
			goto busy;
		switch (
		    check_password(&slot, name, pass, passlen, res, &spent)) {
		case LK_OK:
			if (res->verdict != LK_DENY_MUST_CHANGE) {
				cache_put(r, id, &res->user);
				res->verdict = LK_AUTHENTICATED;
				res->reason = NULL;
			}
			goto out;
		case LK_ENOTFOUND:
			break;
		default:
			deny(res, LK_UNAVAILABLE, "store or gate unavailable");
			goto out;
		}
	} else if (!keyish && !slot_take(&slot)) {
		goto busy;
	}

	/* Redmine's fallback: the user part as a key, password ignored. */
	if (keyish) {
		why = res->reason;
		switch (find_key_owner(r, user, userlen, res)) {
		case LK_OK:
			/* Remembered under the pair too: its next use costs
			 * no login lookup (what the login lookup found may
			 * change only by a write that empties the cache). */
			cache_put(r, pair, &res->user);
			res->via = LK_VIA_BASIC_KEY;
			res->verdict = LK_AUTHENTICATED;
			res->reason = NULL;
			goto out;
		case LK_ENOTFOUND:
			/* Report why the login failed if it existed. */
			if (strcmp(why, "unknown login") != 0)
				res->reason = why;
			break;
		default:
			deny(res, LK_UNAVAILABLE, "store unavailable");
			goto out;
		}
	}
	if (!spent && !dummy_verify(&slot, pass, passlen))
		goto busy;
	res->verdict = LK_DENY_BASIC;
	goto out;
busy:
	deny(res, LK_BUSY, "password checks busy");
out:
	slot_give(&slot);
}

void
lk_login(const struct lk_resolver *r, const char *login, size_t loginlen,
    const char *pw, size_t pwlen, struct lk_resolution *res)
{
	memset(res, 0, sizeof(*res));
	res->via = LK_VIA_PASSWORD;
	if (loginlen > LK_CRED_MAX || pwlen > LK_CRED_MAX) {
		struct slot slot = { r, false };

		if (dummy_verify(&slot, "", 0))
			deny(res, LK_DENY_BASIC, "credential too long");
		else
			deny(res, LK_BUSY, "password checks busy");
		slot_give(&slot);
		return;
	}
	password_login(r, login, loginlen, pw, pwlen, false, res);
	lk_wipe(res->user.hashed_password, sizeof(res->user.hashed_password));
	lk_wipe(res->user.salt, sizeof(res->user.salt));
}

static void
switch_user(const struct lk_resolver *r, const struct lk_creds *c,
    struct lk_resolution *res)
{
	size_t len = c->switch_user_len;
	const char *login = lk_trim(c->switch_user, &len);
	char name[LK_LOGIN_MAX + 1];
	struct lk_user target;
	enum lk_err err;

	if (c->switch_user_repeated) {
		deny(res, LK_DENY_SWITCH, "switch-user header repeated");
		return;
	}
	if (len == 0)
		return;
	if (len > LK_LOGIN_MAX || !lk_utf8_valid(login, len)) {
		deny(res, LK_DENY_SWITCH, "bad switch-user login");
		return;
	}
	memcpy(name, login, len);
	name[len] = '\0';
	err = r->store->user_by_login(r->store->ctx, name, &target);
	if (err == LK_ENOTFOUND ||
	    (err == LK_OK && target.status != LK_STATUS_ACTIVE)) {
		/* Someone may paste a key here: never log one. */
		if (loggable(name, len))
			memcpy(res->login, name, len + 1);
		deny(res, LK_DENY_SWITCH, "switch-user target not usable");
		return;
	}
	if (err != LK_OK) {
		deny(res, LK_UNAVAILABLE, "store unavailable");
		return;
	}
	memcpy(res->admin_login, res->user.login, sizeof(res->admin_login));
	res->user = target;
	res->switched = true;
}

/* What a request carries, found once for lk_resolve and
 * lk_creds_present alike: the key parameter (decoded into key: wipe it),
 * the key header (trimmed), and whether each way in is there at all. */
struct scan {
	enum lk_query_result q;
	char key[LK_KEYPARAM_MAX + 1];
	size_t keylen;
	const char *hkey;
	size_t hlen;
	bool header, authz;
};

static void
scan_creds(const struct lk_creds *c, struct scan *s)
{
	s->q = LK_QUERY_ABSENT;
	s->keylen = 0;
	s->hlen = c->api_key_len;
	s->hkey = c->api_key ? lk_trim(c->api_key, &s->hlen) : NULL;
	s->header = c->api_key_repeated || (s->hkey != NULL && s->hlen > 0);
	s->authz = c->authorization_repeated ||
		   (c->authorization != NULL && c->authorization_len > 0);
	if (c->query != NULL)
		s->q = lk_query_get(c->query, c->query_len, key_params, s->key,
		    sizeof(s->key), &s->keylen);
}

void
lk_resolve(const struct lk_resolver *r, const struct lk_settings *settings,
    const struct lk_creds *c, struct lk_resolution *res)
{
	struct scan sc;
	struct lk_authz az;

	memset(res, 0, sizeof(*res));
	res->verdict = LK_ANONYMOUS;
	scan_creds(c, &sc);

	if (!settings->rest_api_enabled) {
		/* The credentials are never checked. */
		if (sc.q != LK_QUERY_ABSENT || sc.header || sc.authz)
			deny(res, LK_DENY_REST_OFF, "REST API disabled");
		goto out;
	}
	switch (sc.q) {
	case LK_QUERY_CONFLICT:
		res->via = LK_VIA_QUERY;
		deny(res, LK_DENY_CONFLICT, "key parameter repeated");
		goto out;
	case LK_QUERY_MALFORMED:
		res->via = LK_VIA_QUERY;
		deny(res, LK_DENY_KEY, "malformed key parameter");
		goto out;
	case LK_QUERY_FOUND:
		resolve_key(
		    r, sc.key, sc.keylen, LK_VIA_QUERY, LK_DENY_KEY, res);
		goto done;
	case LK_QUERY_ABSENT:
		break;
	}
	if (sc.header) {
		if (c->api_key_repeated) {
			res->via = LK_VIA_HEADER;
			deny(res, LK_DENY_KEY, "key header repeated");
			goto out;
		}
		resolve_key(
		    r, sc.hkey, sc.hlen, LK_VIA_HEADER, LK_DENY_KEY, res);
		goto done;
	}
	if (!sc.authz)
		goto out;
	if (c->authorization_repeated) {
		/* Which of two would a proxy have checked? Neither. */
		res->via = LK_VIA_PASSWORD;
		deny(res, LK_DENY_BASIC, "Authorization repeated");
		goto out;
	}
	lk_authz_parse(c->authorization, c->authorization_len, &az);
	switch (az.kind) {
	case LK_AUTHZ_BASIC:
		password_login(
		    r, az.user, az.user_len, az.pass, az.pass_len, true, res);
		break;
	case LK_AUTHZ_BEARER:
		resolve_key(r, az.user, az.user_len, LK_VIA_BEARER,
		    LK_DENY_BEARER, res);
		break;
	case LK_AUTHZ_NONE:
	case LK_AUTHZ_INVALID:
		res->via = LK_VIA_PASSWORD;
		deny(res, LK_DENY_BASIC, "malformed Authorization");
		break;
	}
	lk_wipe(&az, sizeof(az));
done:
	if (res->verdict == LK_AUTHENTICATED && res->user.admin &&
	    c->switch_user != NULL)
		switch_user(r, c, res);
out:
	lk_wipe(&sc, sizeof(sc));
	if (res->verdict != LK_AUTHENTICATED)
		memset(&res->user, 0, sizeof(res->user));
	/* Hashes have no business outside the resolver. */
	lk_wipe(res->user.hashed_password, sizeof(res->user.hashed_password));
	lk_wipe(res->user.salt, sizeof(res->user.salt));
}

bool
lk_creds_present(const struct lk_creds *c)
{
	struct scan sc;
	bool present;

	scan_creds(c, &sc);
	present = sc.q != LK_QUERY_ABSENT || sc.header || sc.authz;
	lk_wipe(&sc, sizeof(sc));
	return present;
}

int
lk_verdict_status(enum lk_verdict v)
{
	switch (v) {
	case LK_ANONYMOUS:
	case LK_AUTHENTICATED:
		return 200;
	case LK_DENY_CONFLICT:
		return 400;
	case LK_DENY_KEY:
	case LK_DENY_BASIC:
	case LK_DENY_BEARER:
		return 401;
	case LK_DENY_REST_OFF:
	case LK_DENY_MUST_CHANGE:
		return 403;
	case LK_DENY_SWITCH:
		return 412;
	case LK_UNAVAILABLE:
	case LK_BUSY:
		break;
	}
	return 503;
}

enum lk_err
lk_resolver_init(struct lk_resolver *r, const struct lk_keys *keys,
    const struct lk_store *store, const struct lk_password_cost *cost)
{
	uint8_t nothing[16];
	enum lk_err err;

	memset(r, 0, sizeof(*r));
	r->keys = keys;
	r->store = store;
	r->cost = *cost;
	/* A random password nobody knows: no input ever matches it. */
	randombytes_buf(nothing, sizeof(nothing));
	err = lk_password_hash(
	    cost, (const char *)nothing, sizeof(nothing), r->dummy_hash);
	sodium_memzero(nothing, sizeof(nothing));
	return err;
}
