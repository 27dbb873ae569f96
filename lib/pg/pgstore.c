/*
 * pgstore.c: struct lk_store over libpq, with prepared statements.
 */
#include <stdlib.h>
#include <string.h>

#include "lk_pg.h"

#define USER_COLUMNS                                                           \
	"u.id, u.login, u.hashed_password, u.salt, u.status, u.admin, "        \
	"u.must_change_passwd"

static const struct statement {
	const char *name;
	const char *sql;
	int nparams;
} statements[] = {
#define ST_USER_BY_LOGIN 0
	{ "lk_user_by_login",
	    "SELECT " USER_COLUMNS ", 0, false FROM users u "
	    "WHERE lower(u.login) = lower($1)",
	    1 },
#define ST_USER_BY_KEY 1
	{ "lk_user_by_key",
	    "SELECT " USER_COLUMNS ", t.id, "
	    "t.last_used_on IS NULL OR t.last_used_on < now() - interval '1 "
	    "minute' "
	    "FROM tokens t JOIN users u ON u.id = t.user_id WHERE t.digest = "
	    "$1",
	    1 },
#define ST_KEY_TOUCH 2
	{ "lk_key_touch",
	    "UPDATE tokens SET last_used_on = now() WHERE id = $1", 1 },
#define ST_PASSWORD_UPGRADE 3
	{ "lk_password_upgrade",
	    "UPDATE users SET hashed_password = $2, salt = '' "
	    "WHERE id = $1 AND hashed_password = $3",
	    3 },
#define ST_KEY_GET 4
	{ "lk_key_get",
	    "SELECT sealed, iso8601(created_on) FROM tokens WHERE user_id = $1",
	    1 },
#define ST_KEY_CREATE 5
	{ "lk_key_create",
	    "INSERT INTO tokens (user_id, digest, sealed) VALUES ($1, $2, $3) "
	    "ON CONFLICT (user_id) DO NOTHING",
	    3 },
#define ST_KEY_SET 6
	{ "lk_key_set",
	    "INSERT INTO tokens (user_id, digest, sealed) VALUES ($1, $2, $3) "
	    "ON CONFLICT (user_id) DO UPDATE SET digest = excluded.digest, "
	    "sealed = excluded.sealed, created_on = now(), last_used_on = NULL",
	    3 },
};

#define NSTATEMENTS (sizeof(statements) / sizeof(statements[0]))
_Static_assert(NSTATEMENTS <= 8 * sizeof(unsigned), "a bit per statement");

void
lk_pgstore_attach(struct lk_pgstore *s, PGconn *conn)
{
	s->conn = conn;
	s->prepared = 0;
}

/* Prepare statement st on first use, each on its own: one that cannot be
 * prepared now (its table not there yet) is tried again next time, and
 * leaves the others alone. */
static enum lk_err
prepare(struct lk_pgstore *s, int st)
{
	PGresult *res;
	ExecStatusType status;

	if (s->prepared & 1U << st)
		return LK_OK;
	if (s->conn == NULL || PQstatus(s->conn) != CONNECTION_OK)
		return LK_ESTORE;
	res = PQprepare(s->conn, statements[st].name, statements[st].sql,
	    statements[st].nparams, NULL);
	status = PQresultStatus(res);
	PQclear(res);
	if (status != PGRES_COMMAND_OK)
		return LK_ESTORE;
	s->prepared |= 1U << st;
	return LK_OK;
}

/* Run statement st; values[i] of lengths[i] (binary where lengths[i] > 0).
 * Returns the result or NULL (store unavailable). */
static PGresult *
run(struct lk_pgstore *s, int st, const char *const *values, const int *lengths)
{
	int formats[3] = { 0, 0, 0 };
	PGresult *res;
	ExecStatusType status;
	int i;

	if (prepare(s, st) != LK_OK)
		return NULL;
	for (i = 0; i < statements[st].nparams; i++)
		formats[i] = lengths != NULL && lengths[i] > 0;
	res = PQexecPrepared(s->conn, statements[st].name,
	    statements[st].nparams, values, lengths, formats, 0);
	status = PQresultStatus(res);
	if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
		PQclear(res);
		return NULL;
	}
	return res;
}

static void
copy_field(char *dst, size_t size, const PGresult *res, int col)
{
	const char *v = PQgetvalue(res, 0, col);
	size_t len = (size_t)PQgetlength(res, 0, col);

	if (len >= size)
		len = size - 1;
	memcpy(dst, v, len);
	dst[len] = '\0';
}

static enum lk_err
user_row(PGresult *res, struct lk_user *out)
{
	if (res == NULL)
		return LK_ESTORE;
	if (PQntuples(res) != 1) {
		PQclear(res);
		return LK_ENOTFOUND;
	}
	memset(out, 0, sizeof(*out));
	out->id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	copy_field(out->login, sizeof(out->login), res, 1);
	copy_field(out->hashed_password, sizeof(out->hashed_password), res, 2);
	copy_field(out->salt, sizeof(out->salt), res, 3);
	out->status = atoi(PQgetvalue(res, 0, 4));
	out->admin = PQgetvalue(res, 0, 5)[0] == 't';
	out->must_change_passwd = PQgetvalue(res, 0, 6)[0] == 't';
	out->token_id = strtoll(PQgetvalue(res, 0, 7), NULL, 10);
	out->token_stale = PQgetvalue(res, 0, 8)[0] == 't';
	/* The hash column may hold secrets of another form; wipe the copy
	 * libpq made before it goes back to the allocator. */
	lk_wipe(PQgetvalue(res, 0, 2), (size_t)PQgetlength(res, 0, 2));
	PQclear(res);
	return LK_OK;
}

static enum lk_err
user_by_login(void *ctx, const char *login, struct lk_user *out)
{
	const char *values[1] = { login };

	return user_row(run(ctx, ST_USER_BY_LOGIN, values, NULL), out);
}

static enum lk_err
user_by_key(void *ctx, const uint8_t digest[LK_DIGEST_LEN], struct lk_user *out)
{
	const char *values[1] = { (const char *)digest };
	int lengths[1] = { LK_DIGEST_LEN };

	return user_row(run(ctx, ST_USER_BY_KEY, values, lengths), out);
}

static enum lk_err
exec_command(
    struct lk_pgstore *s, int st, const char *const *values, const int *lengths)
{
	PGresult *res = run(s, st, values, lengths);

	if (res == NULL)
		return LK_ESTORE;
	PQclear(res);
	return LK_OK;
}

static enum lk_err
key_touch(void *ctx, int64_t token_id)
{
	char id[24];
	const char *values[1] = { id };

	snprintf(id, sizeof(id), "%lld", (long long)token_id);
	return exec_command(ctx, ST_KEY_TOUCH, values, NULL);
}

static enum lk_err
password_upgrade(
    void *ctx, int64_t user_id, const char *old_hash, const char *new_hash)
{
	char id[24];
	const char *values[3] = { id, new_hash, old_hash };

	snprintf(id, sizeof(id), "%lld", (long long)user_id);
	return exec_command(ctx, ST_PASSWORD_UPGRADE, values, NULL);
}

void
lk_pgstore_store(struct lk_pgstore *s, struct lk_store *out)
{
	out->ctx = s;
	out->user_by_login = user_by_login;
	out->user_by_key = user_by_key;
	out->key_touch = key_touch;
	out->password_upgrade = password_upgrade;
}

/* Write key for user_id with statement st (create or set). */
static enum lk_err
store_key(struct lk_pgstore *s, const struct lk_keys *keys, int st,
    int64_t user_id, const char key[LK_KEY_LEN])
{
	uint8_t digest[LK_DIGEST_LEN], sealed[LK_SEALED_LEN];
	char id[24];
	const char *values[3] = { id, (const char *)digest,
		(const char *)sealed };
	int lengths[3] = { 0, sizeof(digest), sizeof(sealed) };
	PGresult *res;
	enum lk_err err = LK_OK;

	snprintf(id, sizeof(id), "%lld", (long long)user_id);
	lk_token_digest(keys, key, LK_KEY_LEN, digest);
	lk_token_seal(keys, key, sealed);
	if (prepare(s, st) != LK_OK)
		return LK_ESTORE;
	res = PQexecPrepared(s->conn, statements[st].name, 3, values, lengths,
	    (const int[]){ 0, 1, 1 }, 0);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);

		/* 23505 unique_violation: another user has this key;
		 * 23503 foreign_key_violation: no such user. */
		err = state && (strcmp(state, "23505") == 0 ||
				   strcmp(state, "23503") == 0)
			  ? LK_EINVAL
			  : LK_ESTORE;
	}
	PQclear(res);
	return err;
}

enum lk_err
lk_pgstore_unseal(
    const struct lk_keys *keys, const char *bytea, char out[LK_KEY_LEN + 1])
{
	size_t len;
	unsigned char *sealed =
	    PQunescapeBytea((const unsigned char *)bytea, &len);
	enum lk_err err;

	if (sealed == NULL)
		return LK_ENOMEM;
	err = lk_token_unseal(keys, sealed, len, out);
	PQfreemem(sealed);
	return err;
}

enum lk_err
lk_pgstore_key_get(struct lk_pgstore *s, const struct lk_keys *keys,
    int64_t user_id, bool create, char out[LK_KEY_LEN + 1],
    char created_on[LK_TIME_MAX])
{
	char id[24], fresh[LK_KEY_LEN + 1];
	const char *values[1] = { id };
	PGresult *res;
	enum lk_err err;
	int attempt;

	snprintf(id, sizeof(id), "%lld", (long long)user_id);
	/* Two tries: if another worker creates the key between our SELECT
	 * and INSERT, the INSERT does nothing and the second SELECT sees it. */
	for (attempt = 0; attempt < 2; attempt++) {
		res = run(s, ST_KEY_GET, values, NULL);
		if (res == NULL)
			return LK_ESTORE;
		if (PQntuples(res) == 1) {
			err =
			    lk_pgstore_unseal(keys, PQgetvalue(res, 0, 0), out);
			if (err == LK_OK)
				copy_field(created_on, LK_TIME_MAX, res, 1);
			PQclear(res);
			return err;
		}
		PQclear(res);
		if (!create)
			return LK_ENOTFOUND;
		lk_token_generate(fresh);
		err = store_key(s, keys, ST_KEY_CREATE, user_id, fresh);
		lk_wipe(fresh, sizeof(fresh));
		if (err != LK_OK)
			return err;
	}
	return LK_ESTORE;
}

enum lk_err
lk_pgstore_key_set(struct lk_pgstore *s, const struct lk_keys *keys,
    int64_t user_id, const char *key, char out[LK_KEY_LEN + 1])
{
	char fresh[LK_KEY_LEN + 1];
	enum lk_err err;

	if (key != NULL) {
		if (!lk_apikey_shape(key, strlen(key)))
			return LK_EINVAL;
		memcpy(fresh, key, LK_KEY_LEN + 1);
	} else {
		lk_token_generate(fresh);
	}
	err = store_key(s, keys, ST_KEY_SET, user_id, fresh);
	if (err == LK_OK)
		memcpy(out, fresh, LK_KEY_LEN + 1);
	lk_wipe(fresh, sizeof(fresh));
	return err;
}
