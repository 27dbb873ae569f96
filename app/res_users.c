/*
 * res_users.c: /users/current and /my/account, the acting user as Redmine
 * shows them, with the API key (created on the fly).
 */
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "keys.h"
#include "profile.h"

/* The user and the sealed copy of their key in one round trip: this is
 * the hottest query of the API. */
#define USER_SQL                                                               \
	"SELECT u.id, u.login, u.admin, u.firstname, u.lastname, u.mail, "     \
	"iso8601(u.created_on), iso8601(u.updated_on), "                       \
	"iso8601(u.last_login_on), iso8601(u.passwd_changed_on), u.status, "   \
	"t.sealed FROM users u LEFT JOIN tokens t ON t.user_id = u.id "        \
	"WHERE u.id = $1"

/*
 * The acting user's row: from the pool's profile cache, else from the
 * database (and then kept). v[] holds USER_SQL's columns. 0, or -1 with
 * the 503 sent; *res is the result to PQclear (NULL on a hit).
 */
static int
user_row(struct api *a, struct profile *p, PGresult **res)
{
	char id[24];
	const char *values[1] = { id };
	int i;

	*res = NULL;
	if (profile_get(a->user->id, p))
		return 0;
	snprintf(id, sizeof(id), "%lld", (long long)a->user->id);
	*res = db_query(a->app, USER_SQL, 1, values);
	if (*res == NULL || PQntuples(*res) != 1) {
		PQclear(*res);
		*res = NULL;
		api_unavailable(a);
		return -1;
	}
	for (i = 0; i < PROFILE_FIELDS; i++)
		p->v[i] =
		    PQgetisnull(*res, 0, i) ? NULL : PQgetvalue(*res, 0, i);
	/* A user without a key gets one below, which empties every cache
	 * (NOTIFY): keep only complete rows. */
	if (p->v[11] != NULL)
		profile_put(a->user->id, p->v);
	return 0;
}

/* Render the user; full: /users/current's fields, else /my/account's. */
static void
show(struct api *a, bool full)
{
	char key[LK_KEY_LEN + 1], key_created[LK_TIME_MAX];
	struct profile p;
	PGresult *res;
	struct emit *e;

	if (user_row(a, &p, &res) != 0)
		return;
	if (p.v[11] == NULL
		? keys_get_or_create(a->app, a->user->id, key, key_created) != 0
		: keys_unseal(a->app, p.v[11], key) != 0) {
		PQclear(res);
		lk_wipe(key, sizeof(key));
		api_unavailable(a);
		return;
	}
	if ((e = api_emit(a)) != NULL) {
		emit_object(e, "user");
		emit_int(e, "id", strtoll(p.v[0], NULL, 10));
		emit_str(e, "login", p.v[1]);
		emit_bool(e, "admin", p.v[2][0] == 't');
		emit_str(e, "firstname", p.v[3]);
		emit_str(e, "lastname", p.v[4]);
		emit_str(e, "mail", p.v[5]);
		emit_str(e, "created_on", p.v[6]);
		if (full)
			emit_str(e, "updated_on", p.v[7]);
		emit_opt(e, "last_login_on", p.v[8]);
		if (full) {
			emit_opt(e, "passwd_changed_on", p.v[9]);
			emit_null(e, "twofa_scheme");
		}
		emit_str(e, "api_key", key);
		if (full)
			emit_int(e, "status", atoi(p.v[10]));
		emit_end(e);
		emit_finish(e, a->resp, 200);
	}
	PQclear(res);
	lk_wipe(key, sizeof(key));
}

void
res_users_current(struct api *a)
{
	show(a, true);
}

/* Redmine's checks: a mail address of one '@' with something either side
 * and a dot in the domain; no spaces. */
static bool
mail_valid(const char *m)
{
	const char *at = strchr(m, '@');

	return at != NULL && at != m && strchr(at + 1, '@') == NULL &&
	       strchr(at + 1, '.') != NULL && at[1] != '.' &&
	       m[strlen(m) - 1] != '.' && strpbrk(m, " \t\r\n") == NULL;
}

static void
update(struct api *a)
{
	json_object *tree, *u = body_object(a, "user", &tree);
	struct api_errors errs = { 0 };
	const char *first, *last, *mail;
	char id[24];

	if (u == NULL)
		return;
	/* The schema's limits, in characters, with Redmine's messages. */
	first = api_text(
	    u, "firstname", "First name", 30, API_TEXT_NOT_BLANK, &errs);
	last = api_text(
	    u, "lastname", "Last name", 255, API_TEXT_NOT_BLANK, &errs);
	mail = api_text(u, "mail", "Email", 254, API_TEXT_NOT_BLANK, &errs);
	if (mail != NULL && !mail_valid(mail))
		api_error(&errs, "Email is invalid");
	if (errs.n > 0) {
		api_invalid_errors(a, &errs);
		goto out;
	}
	snprintf(id, sizeof(id), "%lld", (long long)a->user->id);
	{
		const char *values[4] = { id, first, last, mail };

		/* Every worker shows the change from the next request on:
		 * sql/004's trigger empties the caches. */
		if (db_command(a->app,
			"UPDATE users SET firstname = coalesce($2, firstname), "
			"lastname = coalesce($3, lastname), "
			"mail = coalesce($4, mail), updated_on = now() "
			"WHERE id = $1",
			4, values) < 0) {
			api_write_failed(a, "User is invalid");
			goto out;
		}
	}
	api_no_content(a);
out:
	json_object_put(tree);
}

void
res_my_account(struct api *a)
{
	if (strcmp(a->req->method, "PUT") == 0)
		update(a);
	else
		show(a, false);
}
