/*
 * fuzz_resolve.c: lk_resolve over an in-memory store, from raw request
 * parts. The first byte sets the switches (REST API on or off, the key
 * header repeated, the store failing, a credential cache); the rest is
 * split at newlines into query string, Authorization, X-Redmine-API-Key
 * and X-Redmine-Switch-User.
 *
 * Checked: the verdict is one of SPEC section 3's; only a real user acts,
 * with no hash on it; the REST switch is obeyed before anything else; a
 * failing store is never a 401 or a user; the login kept for the log never
 * looks like a key. With the cache, the same request resolved again (now
 * from what the first one put) gets the same answer: verdict, way in,
 * user, switch.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "lk_auth.h"

#define KEY_ALICE "0123456789abcdef0123456789abcdef01234567"
#define KEY_ADMIN "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct lk_keys keys;
static struct lk_user users[2];
static uint8_t digests[2][LK_DIGEST_LEN];
static bool store_fails;
static struct lk_resolver resolver;

/* The cache hooks' table, emptied for every input. */
static struct {
	uint8_t id[LK_DIGEST_LEN];
	bool found;
	struct lk_user u;
} cached[8];
static size_t ncached;

static bool
cache_get(void *ctx, const uint8_t id[LK_DIGEST_LEN], struct lk_user *out,
    bool *found)
{
	size_t i;

	(void)ctx;
	for (i = 0; i < ncached; i++)
		if (memcmp(cached[i].id, id, LK_DIGEST_LEN) == 0) {
			*found = cached[i].found;
			if (cached[i].found)
				*out = cached[i].u;
			return true;
		}
	return false;
}

static void
cache_put(void *ctx, const uint8_t id[LK_DIGEST_LEN], const struct lk_user *u)
{
	(void)ctx;
	if (u != NULL)
		CHECK(u->hashed_password[0] == '\0' && u->salt[0] == '\0');
	if (ncached == sizeof(cached) / sizeof(cached[0]))
		return;
	memcpy(cached[ncached].id, id, LK_DIGEST_LEN);
	cached[ncached].found = u != NULL;
	if (u != NULL)
		cached[ncached].u = *u;
	ncached++;
}

static enum lk_err
by_login(void *ctx, const char *login, struct lk_user *out)
{
	int i;

	(void)ctx;
	CHECK(strlen(login) <= LK_LOGIN_MAX);
	if (store_fails)
		return LK_ESTORE;
	for (i = 0; i < 2; i++)
		if (strcasecmp(users[i].login, login) == 0) {
			*out = users[i];
			return LK_OK;
		}
	return LK_ENOTFOUND;
}

static enum lk_err
by_key(void *ctx, const uint8_t digest[LK_DIGEST_LEN], struct lk_user *out)
{
	int i;

	(void)ctx;
	if (store_fails)
		return LK_ESTORE;
	for (i = 0; i < 2; i++)
		if (memcmp(digests[i], digest, LK_DIGEST_LEN) == 0) {
			*out = users[i];
			out->token_id = i + 1; /* as tokens.id: never 0 */
			return LK_OK;
		}
	return LK_ENOTFOUND;
}

static enum lk_err
touch(void *ctx, int64_t id)
{
	(void)ctx, (void)id;
	return LK_OK;
}

static enum lk_err
upgrade(void *ctx, int64_t id, const char *o, const char *n)
{
	(void)ctx, (void)id, (void)o, (void)n;
	return LK_OK;
}

static const struct lk_store store = { NULL, by_login, by_key, touch, upgrade };

static void
setup(void)
{
	static const struct lk_password_cost cost = { 1, 8192 };
	uint8_t secret[LK_SECRET_LEN] = { 0 };

	if (lk_secret_init() != LK_OK)
		abort();
	lk_secret_derive(&keys, secret);
	users[0] = (struct lk_user){
		.id = 1, .login = "alice", .status = LK_STATUS_ACTIVE
	};
	users[1] = (struct lk_user){ .id = 2,
		.login = "admin",
		.status = LK_STATUS_ACTIVE,
		.admin = true };
	if (lk_password_hash(&cost, "pw", 2, users[0].hashed_password) !=
		LK_OK ||
	    lk_password_hash(&cost, "pw", 2, users[1].hashed_password) != LK_OK)
		abort();
	lk_token_digest(&keys, KEY_ALICE, 40, digests[0]);
	lk_token_digest(&keys, KEY_ADMIN, 40, digests[1]);
	if (lk_resolver_init(&resolver, &keys, &store, &cost) != LK_OK)
		abort();
}

/* The next newline-separated part of [*p, end). */
static const char *
part(const char **p, const char *end, size_t *len)
{
	const char *start = *p, *nl;

	if (start >= end) {
		*len = 0;
		return NULL;
	}
	nl = memchr(start, '\n', (size_t)(end - start));
	*len = (size_t)((nl ? nl : end) - start);
	*p = nl ? nl + 1 : end;
	return start;
}

static bool
key_like(const char *s)
{
	size_t run = 0;

	for (; *s; s++) {
		run = strchr("0123456789abcdefABCDEF", *s) ? run + 1 : 0;
		if (run >= 32)
			return true;
	}
	return false;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool ready;
	struct lk_settings settings;
	struct lk_creds c;
	struct lk_resolution res;
	const char *p = (const char *)data + 1,
		   *end = (const char *)data + size;
	int status;

	if (!ready) {
		setup();
		ready = true;
	}
	if (size < 1)
		return 0;
	memset(&c, 0, sizeof(c));
	settings.rest_api_enabled = !(data[0] & 1);
	settings.login_required = data[0] & 2;
	c.api_key_repeated = data[0] & 4;
	store_fails = data[0] & 8;
	c.query = part(&p, end, &c.query_len);
	c.authorization = part(&p, end, &c.authorization_len);
	c.api_key = part(&p, end, &c.api_key_len);
	c.switch_user = part(&p, end, &c.switch_user_len);
	if (c.api_key_repeated && c.api_key == NULL)
		c.api_key_repeated = false; /* the worker never says so */

	ncached = 0;
	resolver.hooks.cache_get = data[0] & 16 ? cache_get : NULL;
	resolver.hooks.cache_put = data[0] & 16 ? cache_put : NULL;
	lk_resolve(&resolver, &settings, &c, &res);
	if (data[0] & 16) {
		struct lk_resolution again;

		lk_resolve(&resolver, &settings, &c, &again);
		CHECK(again.verdict == res.verdict && again.via == res.via &&
		      again.user.id == res.user.id &&
		      again.switched == res.switched);
	}
	status = lk_verdict_status(res.verdict);
	CHECK(status == 200 || status == 400 || status == 401 ||
	      status == 403 || status == 412 || status == 503);
	CHECK(res.user.hashed_password[0] == '\0' && res.user.salt[0] == '\0');
	if (res.verdict == LK_AUTHENTICATED)
		CHECK(res.user.id == 1 || res.user.id == 2);
	else
		CHECK(res.user.id == 0);
	if (res.switched)
		CHECK(strcmp(res.admin_login, "admin") == 0);
	/* The REST switch comes first: credentials are not even read. */
	if (!settings.rest_api_enabled)
		CHECK(
		    lk_creds_present(&c) == (res.verdict == LK_DENY_REST_OFF));
	if (res.verdict == LK_ANONYMOUS)
		CHECK(!lk_creds_present(&c));
	/* Deny is not error: a store that cannot answer lets no one in. */
	if (store_fails)
		CHECK(res.verdict != LK_AUTHENTICATED);
	CHECK(!key_like(res.login));
	return 0;
}
