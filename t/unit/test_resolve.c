/*
 * test_resolve.c: every row of SPEC section 3's table, and each way
 * credentials arrive, through lk_resolve over an in-memory store.
 *
 * The store counts its calls and the resolver's slow (argon2id) checks, so
 * the tests also see what was NOT done: no lookup when the REST API is off
 * or a key is malformed, and exactly one slow check on every path that
 * refuses a password login (unknown login, locked user, broken hash), which
 * is what keeps timing from telling logins apart.
 */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "lk_auth.h"
#include "tap.h"

#define KEY_ALICE   "0123456789abcdef0123456789abcdef01234567"
#define KEY_ADMIN   "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define KEY_LOCKED  "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
#define KEY_MUST    "cccccccccccccccccccccccccccccccccccccccc"
#define KEY_REG     "dddddddddddddddddddddddddddddddddddddddd"
#define KEY_UNKNOWN "ffffffffffffffffffffffffffffffffffffffff"
/* A user whose login is shaped like a key (Redmine allows it). */
#define LOGIN_KEYISH "eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee"

static const struct lk_password_cost cost = { 1, 8192 };
static struct lk_keys keys;

struct mem_user {
	struct lk_user u;
	const char *password; /* hashed at setup unless hash is set */
	const char *hash;
	const char *salt;
	const char *key;
	uint8_t digest[LK_DIGEST_LEN];
};

static struct mem_user users[] = {
	{ { .id = 1, .login = "alice", .status = LK_STATUS_ACTIVE }, "alice-pw",
	    NULL, NULL, KEY_ALICE, { 0 } },
	{ { .id = 2,
	      .login = "Admin",
	      .status = LK_STATUS_ACTIVE,
	      .admin = true },
	    "admin-pw", NULL, NULL, KEY_ADMIN, { 0 } },
	{ { .id = 3, .login = "locked", .status = LK_STATUS_LOCKED },
	    "locked-pw", NULL, NULL, KEY_LOCKED, { 0 } },
	{ { .id = 4,
	      .login = "must",
	      .status = LK_STATUS_ACTIVE,
	      .must_change_passwd = true },
	    "must-pw", NULL, NULL, KEY_MUST, { 0 } },
	{ { .id = 5, .login = "registered", .status = LK_STATUS_REGISTERED },
	    "reg-pw", NULL, NULL, KEY_REG, { 0 } },
	{ { .id = 6, .login = "sha", .status = LK_STATUS_ACTIVE }, NULL,
	    "5795b25ba83b511345b08fbc03bb9bf3a9cbcff3",
	    "90df9f92029e8870cfdc4d6469879842", NULL, { 0 } },
	{ { .id = 7, .login = "bc", .status = LK_STATUS_ACTIVE }, NULL,
	    "$2y$05$qfRaVyMKISWBpZvpF1nS4.Ebi5ueW1ccRd.smf21lOdl.q8n94kaS",
	    NULL, NULL, { 0 } },
	{ { .id = 8, .login = "broken", .status = LK_STATUS_ACTIVE }, NULL,
	    "not-a-hash", NULL, NULL, { 0 } },
	{ { .id = 9, .login = LOGIN_KEYISH, .status = LK_STATUS_ACTIVE },
	    "keyish-pw", NULL, NULL, NULL, { 0 } },
	{ { .id = 10, .login = "bob", .status = LK_STATUS_ACTIVE }, "bob-pw",
	    NULL, NULL, NULL, { 0 } },
	{ { .id = 12, .login = "costly", .status = LK_STATUS_ACTIVE }, NULL,
	    "$argon2id$v=19$m=4194304,t=2,p=1$c29tZXNhbHQxMjM0$"
	    "CvLRebYm922AmfULiYGPX2iZhCJ1tMVpeiLbNsJAdT8",
	    NULL, NULL, { 0 } },
	{ { .id = 11, .login = "ünï", .status = LK_STATUS_ACTIVE }, "ü-pw",
	    NULL, NULL, NULL, { 0 } },
};
#define NUSERS (sizeof(users) / sizeof(users[0]))

static struct {
	bool fail;        /* every call answers LK_ESTORE */
	bool login_fails; /* only user_by_login does */
	bool touch_fails; /* only key_touch does */
	bool gate_busy;   /* slow_enter refuses */
	int lookups;      /* user_by_login + user_by_key */
	int touches;
	int upgrades;
	int slow;    /* password verifications (hooks.slow_check) */
	int entries; /* gate slots asked for (hooks.slow_enter) */
	char upgraded[LK_HASH_MAX];
} st;

static enum lk_err
by_login(void *ctx, const char *login, struct lk_user *out)
{
	size_t i;

	(void)ctx;
	st.lookups++;
	if (st.fail || st.login_fails)
		return LK_ESTORE;
	for (i = 0; i < NUSERS; i++)
		if (strcasecmp(users[i].u.login, login) == 0) {
			*out = users[i].u;
			return LK_OK;
		}
	return LK_ENOTFOUND;
}

static enum lk_err
by_key(void *ctx, const uint8_t digest[LK_DIGEST_LEN], struct lk_user *out)
{
	size_t i;

	(void)ctx;
	st.lookups++;
	if (st.fail)
		return LK_ESTORE;
	for (i = 0; i < NUSERS; i++)
		if (users[i].key != NULL &&
		    memcmp(users[i].digest, digest, LK_DIGEST_LEN) == 0) {
			*out = users[i].u;
			out->token_id = 100 + users[i].u.id;
			out->token_stale = true;
			return LK_OK;
		}
	return LK_ENOTFOUND;
}

static enum lk_err
touch(void *ctx, int64_t token_id)
{
	(void)ctx, (void)token_id;
	st.touches++;
	return st.touch_fails ? LK_ESTORE : LK_OK;
}

static enum lk_err
upgrade(void *ctx, int64_t user_id, const char *old_hash, const char *new_hash)
{
	(void)ctx, (void)user_id, (void)old_hash;
	st.upgrades++;
	snprintf(st.upgraded, sizeof(st.upgraded), "%s", new_hash);
	return LK_OK;
}

static bool
slow_enter(void *ctx)
{
	(void)ctx;
	st.entries++;
	return !st.gate_busy;
}

static void
slow_check(void *ctx)
{
	(void)ctx;
	st.slow++;
}

static void
slow_leave(void *ctx)
{
	(void)ctx;
}

static const struct lk_store store = { NULL, by_login, by_key, touch, upgrade };
static struct lk_resolver resolver;

/* One request. NULL fields are absent. basic is "user:pass" (encoded
 * here); authz is a raw Authorization value. */
struct req {
	const char *query;
	const char *basic;
	const char *authz;
	const char *header;
	bool header_twice;
	bool authz_twice;
	bool switch_twice;
	const char *switch_user;
	bool rest_off;
	bool store_fails;
	bool touch_fails;
	bool gate; /* the slow-check gate is busy */
};

struct want {
	enum lk_verdict verdict;
	enum lk_via via;
	const char *acting; /* login of the acting user, or NULL */
	int slow;           /* password checks, -1: do not check */
	int lookups;        /* store lookups, -1: do not check */
};

static void
run(const char *name, struct req r, struct want w)
{
	struct lk_settings settings = { !r.rest_off, false };
	struct lk_creds c;
	struct lk_resolution res;
	char authz[LK_AUTHZ_MAX * 2];

	memset(&c, 0, sizeof(c));
	memset(&st, 0, sizeof(st));
	st.fail = r.store_fails;
	st.touch_fails = r.touch_fails;
	st.gate_busy = r.gate;
	if (r.query != NULL) {
		c.query = r.query;
		c.query_len = strlen(r.query);
	}
	if (r.basic != NULL) {
		strcpy(authz, "Basic ");
		sodium_bin2base64(authz + 6, sizeof(authz) - 6,
		    (const unsigned char *)r.basic, strlen(r.basic),
		    sodium_base64_VARIANT_ORIGINAL);
		c.authorization = authz;
		c.authorization_len = strlen(authz);
	} else if (r.authz != NULL) {
		c.authorization = r.authz;
		c.authorization_len = strlen(r.authz);
	}
	if (r.header != NULL) {
		c.api_key = r.header;
		c.api_key_len = strlen(r.header);
		c.api_key_repeated = r.header_twice;
	}
	if (r.switch_user != NULL) {
		c.switch_user = r.switch_user;
		c.switch_user_len = strlen(r.switch_user);
	}
	c.authorization_repeated = r.authz_twice;
	c.switch_user_repeated = r.switch_twice;
	lk_resolve(&resolver, &settings, &c, &res);
	is_int(res.verdict, w.verdict, "%s: verdict", name);
	if (w.verdict != LK_ANONYMOUS && w.verdict != LK_DENY_REST_OFF)
		is_int(res.via, w.via, "%s: via", name);
	if (w.acting != NULL)
		is_str(res.user.login, w.acting, "%s: acts as", name);
	else
		is_int(res.user.id, 0, "%s: no user", name);
	if (w.slow >= 0)
		is_int(st.slow, w.slow, "%s: slow checks", name);
	if (w.lookups >= 0)
		is_int(st.lookups, w.lookups, "%s: store lookups", name);
	ok(res.user.hashed_password[0] == '\0',
	    "%s: no hash leaves the resolver", name);
	ok(st.entries <= 1, "%s: one gate slot at most (%d)", name, st.entries);
	if (r.basic != NULL && strlen(r.basic) > 32)
		ok(strstr(r.basic, res.login) == NULL || res.login[0] == '\0' ||
			strlen(res.login) < 32,
		    "%s: no key-like login for the log (%s)", name, res.login);
	if (res.verdict != LK_AUTHENTICATED && res.verdict != LK_ANONYMOUS)
		ok(res.reason != NULL, "%s: a reason for the log (%s)", name,
		    res.reason ? res.reason : "none");
}

#define Q(...) ((struct req){ __VA_ARGS__ })
#define W(...) ((struct want){ __VA_ARGS__ })

static void
ways_in(void)
{
	run("no credentials", Q(0), W(LK_ANONYMOUS, LK_VIA_NONE, NULL, 0, 0));
	run("?key=", Q(.query = "key=" KEY_ALICE),
	    W(LK_AUTHENTICATED, LK_VIA_QUERY, "alice", 0, 1));
	run("?api_key= alias", Q(.query = "a=1&api_key=" KEY_ALICE),
	    W(LK_AUTHENTICATED, LK_VIA_QUERY, "alice", 0, 1));
	run("header", Q(.header = KEY_ALICE),
	    W(LK_AUTHENTICATED, LK_VIA_HEADER, "alice", 0, 1));
	run("header with spaces", Q(.header = "  " KEY_ALICE "\t"),
	    W(LK_AUTHENTICATED, LK_VIA_HEADER, "alice", 0, 1));
	run("Basic login:password", Q(.basic = "alice:alice-pw"),
	    W(LK_AUTHENTICATED, LK_VIA_PASSWORD, "alice", 1, 1));
	run("Basic login case-insensitive and stripped",
	    Q(.basic = "  ALICE :alice-pw"),
	    W(LK_AUTHENTICATED, LK_VIA_PASSWORD, "alice", 1, 1));
	run("Basic UTF-8 login", Q(.basic = "ünï:ü-pw"),
	    W(LK_AUTHENTICATED, LK_VIA_PASSWORD, "ünï", 1, 1));
	run("Basic KEY:X", Q(.basic = KEY_ALICE ":X"),
	    W(LK_AUTHENTICATED, LK_VIA_BASIC_KEY, "alice", 0, 2));
	run("Basic KEY:", Q(.basic = KEY_ALICE ":"),
	    W(LK_AUTHENTICATED, LK_VIA_BASIC_KEY, "alice", 0, 2));
	run("Bearer KEY", Q(.authz = "Bearer " KEY_ALICE),
	    W(LK_AUTHENTICATED, LK_VIA_BEARER, "alice", 0, 1));
	run("password colon: split at the first", Q(.basic = "bob:bob-pw"),
	    W(LK_AUTHENTICATED, LK_VIA_PASSWORD, "bob", 1, 1));
	run("key-shaped login with its password",
	    Q(.basic = LOGIN_KEYISH ":keyish-pw"),
	    W(LK_AUTHENTICATED, LK_VIA_PASSWORD, LOGIN_KEYISH, 1, 1));
}

static void
precedence(void)
{
	run("query key beats header and Authorization",
	    Q(.query = "key=" KEY_ALICE, .header = KEY_ADMIN,
		.basic = "Admin:admin-pw"),
	    W(LK_AUTHENTICATED, LK_VIA_QUERY, "alice", 0, 1));
	run("header beats Authorization",
	    Q(.header = KEY_ALICE, .basic = "Admin:admin-pw"),
	    W(LK_AUTHENTICATED, LK_VIA_HEADER, "alice", 0, 1));
	run("bad query key: Authorization not looked at",
	    Q(.query = "key=" KEY_UNKNOWN, .basic = "alice:alice-pw"),
	    W(LK_DENY_KEY, LK_VIA_QUERY, NULL, 0, 1));
	run("empty query key counts as absent",
	    Q(.query = "key=", .header = KEY_ALICE),
	    W(LK_AUTHENTICATED, LK_VIA_HEADER, "alice", 0, 1));
	run("empty header counts as absent",
	    Q(.header = "  ", .basic = "alice:alice-pw"),
	    W(LK_AUTHENTICATED, LK_VIA_PASSWORD, "alice", 1, 1));
	run("empty Authorization counts as absent", Q(.authz = ""),
	    W(LK_ANONYMOUS, LK_VIA_NONE, NULL, 0, 0));
}

static void
refusals(void)
{
	run("unknown key", Q(.query = "key=" KEY_UNKNOWN),
	    W(LK_DENY_KEY, LK_VIA_QUERY, NULL, 0, 1));
	run("malformed key: no lookup", Q(.query = "key=abc"),
	    W(LK_DENY_KEY, LK_VIA_QUERY, NULL, 0, 0));
	run("uppercase key: exact matching",
	    Q(.query = "key=0123456789ABCDEF0123456789abcdef01234567"),
	    W(LK_DENY_KEY, LK_VIA_QUERY, NULL, 0, 0));
	run("key with %00", Q(.query = "key=%00" KEY_ALICE),
	    W(LK_DENY_KEY, LK_VIA_QUERY, NULL, 0, 0));
	run("key[]=", Q(.query = "key[]=" KEY_ALICE),
	    W(LK_DENY_KEY, LK_VIA_QUERY, NULL, 0, 0));
	run("key[a]=", Q(.query = "key[a]=" KEY_ALICE),
	    W(LK_DENY_KEY, LK_VIA_QUERY, NULL, 0, 0));
	run("key twice, different: 400",
	    Q(.query = "key=" KEY_ALICE "&key=" KEY_ADMIN),
	    W(LK_DENY_CONFLICT, LK_VIA_QUERY, NULL, 0, 0));
	run("key and api_key different: 400",
	    Q(.query = "key=" KEY_ALICE "&api_key=" KEY_ADMIN),
	    W(LK_DENY_CONFLICT, LK_VIA_QUERY, NULL, 0, 0));
	run("key twice, same: fine",
	    Q(.query = "key=" KEY_ALICE "&key=" KEY_ALICE),
	    W(LK_AUTHENTICATED, LK_VIA_QUERY, "alice", 0, 1));
	run("Authorization twice (nginx before 1.23 passes both)",
	    Q(.basic = "alice:alice-pw", .authz_twice = true),
	    W(LK_DENY_BASIC, LK_VIA_PASSWORD, NULL, 0, 0));
	run("REST off, Authorization twice: 403 unchecked",
	    Q(.basic = "alice:alice-pw", .authz_twice = true, .rest_off = true),
	    W(LK_DENY_REST_OFF, LK_VIA_NONE, NULL, 0, 0));
	run("header twice", Q(.header = KEY_ALICE, .header_twice = true),
	    W(LK_DENY_KEY, LK_VIA_HEADER, NULL, 0, 0));
	run("header joined by nginx", Q(.header = KEY_ALICE ", " KEY_ALICE),
	    W(LK_DENY_KEY, LK_VIA_HEADER, NULL, 0, 0));
	run("unknown header key", Q(.header = KEY_UNKNOWN),
	    W(LK_DENY_KEY, LK_VIA_HEADER, NULL, 0, 1));
	run("key of a locked user", Q(.header = KEY_LOCKED),
	    W(LK_DENY_KEY, LK_VIA_HEADER, NULL, 0, 1));
	run("key of a registered user", Q(.query = "key=" KEY_REG),
	    W(LK_DENY_KEY, LK_VIA_QUERY, NULL, 0, 1));
	run("wrong password", Q(.basic = "alice:wrong"),
	    W(LK_DENY_BASIC, LK_VIA_PASSWORD, NULL, 1, 1));
	run("unknown login costs one slow check", Q(.basic = "nobody:wrong"),
	    W(LK_DENY_BASIC, LK_VIA_PASSWORD, NULL, 1, 1));
	run("locked user, right password", Q(.basic = "locked:locked-pw"),
	    W(LK_DENY_BASIC, LK_VIA_PASSWORD, NULL, 1, 1));
	run("registered user, right password", Q(.basic = "registered:reg-pw"),
	    W(LK_DENY_BASIC, LK_VIA_PASSWORD, NULL, 1, 1));
	/* A hash over the cost ceiling is unreadable (lk_hashfmt): it is
	 * never run, the dummy is paid, and the reason says why. */
	run("hash over the cost ceiling: only the dummy is paid",
	    Q(.basic = "costly:correct horse"),
	    W(LK_DENY_BASIC, LK_VIA_PASSWORD, NULL, 1, 1));
	run("unreadable hash costs one slow check",
	    Q(.basic = "broken:anything"),
	    W(LK_DENY_BASIC, LK_VIA_PASSWORD, NULL, 1, 1));
	run("must change password: 403 for a password login",
	    Q(.basic = "must:must-pw"),
	    W(LK_DENY_MUST_CHANGE, LK_VIA_PASSWORD, NULL, 1, 1));
	run("must change password, wrong password: 401",
	    Q(.basic = "must:nope"),
	    W(LK_DENY_BASIC, LK_VIA_PASSWORD, NULL, 1, 1));
	run("must change password: the key works", Q(.query = "key=" KEY_MUST),
	    W(LK_AUTHENTICATED, LK_VIA_QUERY, "must", 0, 1));
	run("must change password: Basic KEY:X works",
	    Q(.basic = KEY_MUST ":X"),
	    W(LK_AUTHENTICATED, LK_VIA_BASIC_KEY, "must", 0, 2));
	run("Basic unknown KEY:X", Q(.basic = KEY_UNKNOWN ":X"),
	    W(LK_DENY_BASIC, LK_VIA_PASSWORD, NULL, 1, 2));
	run("Basic key with a space as user", Q(.basic = KEY_ALICE " :X"),
	    W(LK_DENY_BASIC, LK_VIA_PASSWORD, NULL, 1, 1));
	run("Basic upper-case key as user",
	    Q(.basic = "0123456789ABCDEF0123456789ABCDEF01234567:X"),
	    W(LK_DENY_BASIC, LK_VIA_PASSWORD, NULL, 1, 1));
	run("Basic without a colon", Q(.authz = "Basic YWxpY2U="),
	    W(LK_DENY_BASIC, LK_VIA_PASSWORD, NULL, 0, 0));
	run("Basic bad base64", Q(.authz = "Basic !!!"),
	    W(LK_DENY_BASIC, LK_VIA_PASSWORD, NULL, 0, 0));
	run("unsupported scheme", Q(.authz = "Digest username=alice"),
	    W(LK_DENY_BASIC, LK_VIA_PASSWORD, NULL, 0, 0));
	run("Bearer unknown key", Q(.authz = "Bearer " KEY_UNKNOWN),
	    W(LK_DENY_BEARER, LK_VIA_BEARER, NULL, 0, 1));
	run("Bearer malformed key", Q(.authz = "Bearer abc"),
	    W(LK_DENY_BEARER, LK_VIA_BEARER, NULL, 0, 0));
	run("login with invalid UTF-8: no lookup, one slow check",
	    Q(.basic = "\xff\xfe:pw"),
	    W(LK_DENY_BASIC, LK_VIA_PASSWORD, NULL, 1, 0));
	run("login over 255 bytes: no lookup, one slow check",
	    Q(.basic =
		    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		    "aa"
		    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa:pw"),
	    W(LK_DENY_BASIC, LK_VIA_PASSWORD, NULL, 1, 0));
}

static void
rest_off(void)
{
	run("REST off, key: 403 unchecked",
	    Q(.query = "key=" KEY_ALICE, .rest_off = true),
	    W(LK_DENY_REST_OFF, LK_VIA_NONE, NULL, 0, 0));
	run("REST off, bad key: 403 unchecked",
	    Q(.query = "key=nonsense", .rest_off = true),
	    W(LK_DENY_REST_OFF, LK_VIA_NONE, NULL, 0, 0));
	run("REST off, header: 403", Q(.header = KEY_ALICE, .rest_off = true),
	    W(LK_DENY_REST_OFF, LK_VIA_NONE, NULL, 0, 0));
	run("REST off, Basic: 403 without a slow check",
	    Q(.basic = "alice:alice-pw", .rest_off = true),
	    W(LK_DENY_REST_OFF, LK_VIA_NONE, NULL, 0, 0));
	run("REST off, no credentials: anonymous", Q(.rest_off = true),
	    W(LK_ANONYMOUS, LK_VIA_NONE, NULL, 0, 0));
}

static void
switching(void)
{
	run("admin switches to alice",
	    Q(.header = KEY_ADMIN, .switch_user = "alice"),
	    W(LK_AUTHENTICATED, LK_VIA_HEADER, "alice", 0, 2));
	run("admin switches, login case-insensitive and stripped",
	    Q(.basic = "admin:admin-pw", .switch_user = " ALICE "),
	    W(LK_AUTHENTICATED, LK_VIA_PASSWORD, "alice", 1, 2));
	run("admin switches to an unknown user: 412",
	    Q(.header = KEY_ADMIN, .switch_user = "nobody"),
	    W(LK_DENY_SWITCH, LK_VIA_HEADER, NULL, 0, 2));
	run("admin switches to a locked user: 412",
	    Q(.header = KEY_ADMIN, .switch_user = "locked"),
	    W(LK_DENY_SWITCH, LK_VIA_HEADER, NULL, 0, 2));
	run("admin switches to a registered user: 412",
	    Q(.header = KEY_ADMIN, .switch_user = "registered"),
	    W(LK_DENY_SWITCH, LK_VIA_HEADER, NULL, 0, 2));
	run("admin, empty switch header: ignored",
	    Q(.header = KEY_ADMIN, .switch_user = ""),
	    W(LK_AUTHENTICATED, LK_VIA_HEADER, "Admin", 0, 1));
	run("admin, switch header twice: 412",
	    Q(.header = KEY_ADMIN, .switch_user = "alice",
		.switch_twice = true),
	    W(LK_DENY_SWITCH, LK_VIA_HEADER, NULL, 0, 1));
	run("non-admin switch header: ignored",
	    Q(.header = KEY_ALICE, .switch_user = "Admin"),
	    W(LK_AUTHENTICATED, LK_VIA_HEADER, "alice", 0, 1));
	run("anonymous switch header: ignored", Q(.switch_user = "Admin"),
	    W(LK_ANONYMOUS, LK_VIA_NONE, NULL, 0, 0));
}

static void
unavailable(void)
{
	run("store down, key: 503, never 401",
	    Q(.query = "key=" KEY_ALICE, .store_fails = true),
	    W(LK_UNAVAILABLE, LK_VIA_QUERY, NULL, 0, 1));
	run("store down, Basic: 503",
	    Q(.basic = "alice:alice-pw", .store_fails = true),
	    W(LK_UNAVAILABLE, LK_VIA_PASSWORD, NULL, 0, 1));
	run("store down, Bearer: 503",
	    Q(.authz = "Bearer " KEY_ALICE, .store_fails = true),
	    W(LK_UNAVAILABLE, LK_VIA_BEARER, NULL, 0, 1));
	run("store down, malformed key: still 401 (no lookup needed)",
	    Q(.query = "key=short", .store_fails = true),
	    W(LK_DENY_KEY, LK_VIA_QUERY, NULL, 0, 0));
	run("store down, no credentials: anonymous", Q(.store_fails = true),
	    W(LK_ANONYMOUS, LK_VIA_NONE, NULL, 0, 0));
}

static void
bookkeeping(void)
{
	run("legacy SHA-1 password", Q(.basic = "sha:admin-pass-123"),
	    W(LK_AUTHENTICATED, LK_VIA_PASSWORD, "sha", 1, 1));
	is_int(st.upgrades, 1, "SHA-1 hash upgraded on login");
	ok(strncmp(st.upgraded, "$argon2id$", 10) == 0 &&
		lk_password_verify(st.upgraded, NULL, "admin-pass-123", 14) ==
		    LK_PW_MATCH,
	    "upgraded to argon2id of the same password");
	run("bcrypt password", Q(.basic = "bc:secret-pass-1"),
	    W(LK_AUTHENTICATED, LK_VIA_PASSWORD, "bc", 1, 1));
	is_int(st.upgrades, 1, "bcrypt hash upgraded on login");
	/* bcrypt, then the dummy argon2id: as slow as any wrong password. */
	run("bcrypt wrong password", Q(.basic = "bc:secret-pass-2"),
	    W(LK_DENY_BASIC, LK_VIA_PASSWORD, NULL, 2, 1));
	run("SHA-1 wrong password", Q(.basic = "sha:nope"),
	    W(LK_DENY_BASIC, LK_VIA_PASSWORD, NULL, 2, 1));
	is_int(st.upgrades, 0, "no upgrade on a failure");
	run("argon2id at cost", Q(.basic = "alice:alice-pw"),
	    W(LK_AUTHENTICATED, LK_VIA_PASSWORD, "alice", 1, 1));
	is_int(st.upgrades, 0, "no upgrade at the configured cost");
	run("stale key", Q(.query = "key=" KEY_ALICE),
	    W(LK_AUTHENTICATED, LK_VIA_QUERY, "alice", 0, 1));
	is_int(st.touches, 1, "a stale key is touched");
	/* Bookkeeping that fails does not fail the request. */
	run("stale key, last_used_on not written",
	    Q(.query = "key=" KEY_ALICE, .touch_fails = true),
	    W(LK_AUTHENTICATED, LK_VIA_QUERY, "alice", 0, 1));
	is_int(st.touches, 1, "the touch was tried (and failed)");
	is_int(lk_verdict_status(LK_DENY_CONFLICT), 400, "status 400");
	is_int(lk_verdict_status(LK_DENY_KEY), 401, "status 401");
	is_int(lk_verdict_status(LK_DENY_REST_OFF), 403, "status 403");
	is_int(lk_verdict_status(LK_DENY_MUST_CHANGE), 403, "status 403");
	is_int(lk_verdict_status(LK_DENY_SWITCH), 412, "status 412");
	is_int(lk_verdict_status(LK_UNAVAILABLE), 503, "status 503");
	is_int(lk_verdict_status(LK_BUSY), 503, "status 503 when busy");
}

/* A tiny cache for the hooks: what the resolver puts, and what it gets. */
static struct {
	uint8_t id[LK_DIGEST_LEN];
	struct lk_user u;
	bool found;
} cache[16];
static size_t ncache;

static bool
cache_get(void *ctx, const uint8_t id[LK_DIGEST_LEN], struct lk_user *out,
    bool *found)
{
	size_t i;

	(void)ctx;
	for (i = 0; i < ncache; i++)
		if (memcmp(cache[i].id, id, LK_DIGEST_LEN) == 0) {
			*found = cache[i].found;
			if (cache[i].found)
				*out = cache[i].u;
			return true;
		}
	return false;
}

static void
cache_put(void *ctx, const uint8_t id[LK_DIGEST_LEN], const struct lk_user *u)
{
	(void)ctx;
	if (ncache == 16)
		return;
	memcpy(cache[ncache].id, id, LK_DIGEST_LEN);
	cache[ncache].found = u != NULL;
	if (u != NULL) {
		ok(u->hashed_password[0] == '\0' && u->salt[0] == '\0',
		    "no hash or salt goes into the cache");
		cache[ncache].u = *u;
	}
	ncache++;
}

/* Error paths the tables above do not reach. */
static void
errors(void)
{
	static char long_login[LK_CRED_MAX + 2];
	struct lk_resolution res;

	/* The switch's lookup fails after the admin's key was found: 503,
	 * not 412 and not the admin acting as themselves. */
	memset(&st, 0, sizeof(st));
	st.login_fails = true;
	{
		struct lk_creds c = { 0 };
		struct lk_settings settings = { true, false };

		c.api_key = KEY_ADMIN;
		c.api_key_len = strlen(KEY_ADMIN);
		c.switch_user = "alice";
		c.switch_user_len = 5;
		lk_resolve(&resolver, &settings, &c, &res);
		is_int(res.verdict, LK_UNAVAILABLE,
		    "switch user, the store fails on it: unavailable");
		ok(res.user.id == 0, "... and nobody acts");
	}
	st.login_fails = false;
	/* A form login over the bound: refused after the dummy check, or
	 * busy when no slot is free; never looked up. */
	memset(long_login, 'a', LK_CRED_MAX + 1);
	memset(&st, 0, sizeof(st));
	lk_login(&resolver, long_login, LK_CRED_MAX + 1, "pw", 2, &res);
	is_int(res.verdict, LK_DENY_BASIC, "form login too long: refused");
	is_int(st.slow, 1, "... after the dummy check");
	is_int(st.lookups, 0, "... without a lookup");
	st.gate_busy = true;
	lk_login(&resolver, long_login, LK_CRED_MAX + 1, "pw", 2, &res);
	is_int(res.verdict, LK_BUSY, "form login too long, gate busy: busy");
	st.gate_busy = false;
}

static void
form_login(void)
{
	static const struct {
		const char *login, *pw;
		enum lk_verdict v;
		int slow;
	} rows[] = {
		{ "alice", "alice-pw", LK_AUTHENTICATED, 1 },
		{ " Alice ", "alice-pw", LK_AUTHENTICATED, 1 },
		{ "alice", "wrong", LK_DENY_BASIC, 1 },
		{ "nobody", "wrong", LK_DENY_BASIC, 1 },
		{ "locked", "locked-pw", LK_DENY_BASIC, 1 },
		{ "registered", "reg-pw", LK_DENY_BASIC, 1 },
		{ "must", "must-pw", LK_DENY_MUST_CHANGE, 1 },
		{ KEY_ALICE, "x", LK_DENY_BASIC, 1 }, /* no key fallback */
	};
	struct lk_resolution res;
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		memset(&st, 0, sizeof(st));
		lk_login(&resolver, rows[i].login, strlen(rows[i].login),
		    rows[i].pw, strlen(rows[i].pw), &res);
		is_int(res.verdict, rows[i].v, "form login %s: verdict",
		    rows[i].login);
		is_int(st.slow, rows[i].slow, "form login %s: slow checks",
		    rows[i].login);
		ok(res.user.hashed_password[0] == '\0',
		    "form login %s: no hash out", rows[i].login);
		if (rows[i].v == LK_DENY_MUST_CHANGE)
			is_int(res.user.id, 4,
			    "form login %s: says who must change",
			    rows[i].login);
	}
}

static void
busy_gate(void)
{
	/* No slot for a slow check: 503, never 401 nor a free pass. */
	run("gate busy, password", Q(.basic = "alice:alice-pw", .gate = true),
	    W(LK_BUSY, LK_VIA_PASSWORD, NULL, 0, 0));
	run("gate busy, key still works", Q(.header = KEY_ALICE, .gate = true),
	    W(LK_AUTHENTICATED, LK_VIA_HEADER, "alice", 0, 1));
	/* A busy gate is known before the login is looked up: no query,
	 * and an unknown login looks just as busy, not a quick 401. */
	run("gate busy, unknown login: 503 too",
	    Q(.basic = "nobody:pw", .gate = true),
	    W(LK_BUSY, LK_VIA_PASSWORD, NULL, 0, 0));
	run("gate busy, locked user: 503 too",
	    Q(.basic = "locked:locked-pw", .gate = true),
	    W(LK_BUSY, LK_VIA_PASSWORD, NULL, 0, 0));
}

static void
caching(void)
{
	struct lk_resolution res;

	resolver.hooks.cache_get = cache_get;
	resolver.hooks.cache_put = cache_put;
	ncache = 0;
	run("key, cold cache", Q(.header = KEY_ALICE),
	    W(LK_AUTHENTICATED, LK_VIA_HEADER, "alice", 0, 1));
	run("key, warm cache: no lookup", Q(.query = "key=" KEY_ALICE),
	    W(LK_AUTHENTICATED, LK_VIA_QUERY, "alice", 0, 0));
	run("unknown key, cold", Q(.header = KEY_UNKNOWN),
	    W(LK_DENY_KEY, LK_VIA_HEADER, NULL, 0, 1));
	run("unknown key, remembered", Q(.header = KEY_UNKNOWN),
	    W(LK_DENY_KEY, LK_VIA_HEADER, NULL, 0, 0));
	run("password, cold cache", Q(.basic = "bob:bob-pw"),
	    W(LK_AUTHENTICATED, LK_VIA_PASSWORD, "bob", 1, 1));
	run("password, warm cache: no argon2id, no lookup",
	    Q(.basic = "bob:bob-pw"),
	    W(LK_AUTHENTICATED, LK_VIA_PASSWORD, "bob", 0, 0));
	run("wrong password is not served from the cache",
	    Q(.basic = "bob:bob-pX"),
	    W(LK_DENY_BASIC, LK_VIA_PASSWORD, NULL, 1, 1));
	run("wrong password again: still slow", Q(.basic = "bob:bob-pX"),
	    W(LK_DENY_BASIC, LK_VIA_PASSWORD, NULL, 1, 1));
	run("other login case: its own entry", Q(.basic = "BOB:bob-pw"),
	    W(LK_AUTHENTICATED, LK_VIA_PASSWORD, "bob", 1, 1));
	run("must change is never cached", Q(.basic = "must:must-pw"),
	    W(LK_DENY_MUST_CHANGE, LK_VIA_PASSWORD, NULL, 1, 1));
	run("must change, again", Q(.basic = "must:must-pw"),
	    W(LK_DENY_MUST_CHANGE, LK_VIA_PASSWORD, NULL, 1, 1));
	ncache = 0; /* what a NOTIFY does */
	run("after a flush: looked up again", Q(.header = KEY_ALICE),
	    W(LK_AUTHENTICATED, LK_VIA_HEADER, "alice", 0, 1));
	/* Basic KEY:X: the login lookup finds nothing, the key (known)
	 * answers; the pair is remembered, so the next one looks up
	 * nothing and still says it came by key. */
	run("Basic KEY:X, the login looked up once", Q(.basic = KEY_ALICE ":X"),
	    W(LK_AUTHENTICATED, LK_VIA_BASIC_KEY, "alice", 0, 1));
	run("Basic KEY:X again: no lookup", Q(.basic = KEY_ALICE ":X"),
	    W(LK_AUTHENTICATED, LK_VIA_BASIC_KEY, "alice", 0, 0));
	run("Basic KEY:Y: a pair of its own", Q(.basic = KEY_ALICE ":Y"),
	    W(LK_AUTHENTICATED, LK_VIA_BASIC_KEY, "alice", 0, 1));
	/* The sign-in form takes no keys, cached pair or not. */
	lk_login(&resolver, KEY_ALICE, 40, "X", 1, &res);
	is_int(res.verdict, LK_DENY_BASIC,
	    "sign-in form with a KEY:X the cache knows: refused");
	ok(res.user.id == 0, "... and no user");
	ncache = 0;
	run("Basic KEY:X after a flush: looked up again",
	    Q(.basic = KEY_ALICE ":X"),
	    W(LK_AUTHENTICATED, LK_VIA_BASIC_KEY, "alice", 0, 2));
	resolver.hooks.cache_get = NULL;
	resolver.hooks.cache_put = NULL;
}

int
main(void)
{
	uint8_t secret[LK_SECRET_LEN];
	size_t i;

	if (lk_secret_init() != LK_OK)
		return 1;
	memset(secret, 42, sizeof(secret));
	lk_secret_derive(&keys, secret);
	for (i = 0; i < NUSERS; i++) {
		struct mem_user *m = &users[i];

		if (m->password != NULL &&
		    lk_password_hash(&cost, m->password, strlen(m->password),
			m->u.hashed_password) != LK_OK)
			return 1;
		if (m->hash != NULL)
			snprintf(m->u.hashed_password,
			    sizeof(m->u.hashed_password), "%s", m->hash);
		if (m->salt != NULL)
			snprintf(m->u.salt, sizeof(m->u.salt), "%s", m->salt);
		if (m->key != NULL)
			lk_token_digest(
			    &keys, m->key, strlen(m->key), m->digest);
	}
	if (lk_resolver_init(&resolver, &keys, &store, &cost) != LK_OK)
		return 1;
	resolver.hooks = (struct lk_resolver_hooks){ .slow_enter = slow_enter,
		.slow_leave = slow_leave,
		.slow_check = slow_check };
	ways_in();
	errors();
	precedence();
	refusals();
	rest_off();
	switching();
	unavailable();
	bookkeeping();
	busy_gate();
	form_login();
	caching();
	return tap_done();
}
