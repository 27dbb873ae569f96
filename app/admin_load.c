/*
 * admin_load.c: `latchkey load FILE.json`, a data set of settings, users,
 * projects with members, news and issues (deploy/dev/demo.json is one).
 *
 * All of it goes in one transaction on the tool's one connection (API keys
 * too: lk_pgstore_key_set runs on the same connection), so a bad file
 * changes nothing, and every refusal names the entry and the field:
 * "users[3].login: duplicate of users[1]". The file's digest goes into the
 * datasets table in the same transaction: loading the same bytes again is
 * a no-op that says so, and an advisory lock makes two loads take turns.
 *
 * The whole file is read (at most LOAD_MAX bytes) and parsed with json-c
 * before the database is touched; the tree is freed once, at its root.
 */
#include <errno.h>
#include <json.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin.h"

#define LOAD_MAX (64u << 20) /* bytes of a data set file */

struct load {
	struct admin *ad;
	const char *file; /* as given, for messages */
	struct lk_password_cost cost;
	char where[96];      /* the entry at hand: "users[3]" */
	long long *user_ids; /* ids given to users[i], to name duplicates */
	size_t nusers;
	long long *project_ids;
	size_t nprojects;
	size_t nsettings, nmembers, nnews, nissues;
};

static const char usage_text[] =
    "usage: latchkey load FILE.json\n"
    "Load a data set: settings, users, projects with their members, news "
    "and\nissues (the format of deploy/dev/demo.json). All or nothing: a "
    "bad file\nchanges nothing and the error names the entry, e.g. "
    "users[3].login.\nLoading the same file again is a no-op; a different "
    "file that collides\nwith what is there (an existing login or project) "
    "is refused.\n";

/* Say what is wrong with field of the entry at hand: -1. */
static int fail(struct load *ld, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
fail(struct load *ld, const char *field, const char *fmt, ...)
{
	va_list ap;
	bool dot = ld->where[0] != '\0' && field != NULL;

	fprintf(stderr, "latchkey: load: %s: ", ld->file);
	if (ld->where[0] != '\0' || field != NULL)
		fprintf(stderr, "%s%s%s: ", ld->where, dot ? "." : "",
		    field ? field : "");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return -1;
}

/* The database refused a statement for field of the entry at hand. */
static int
fail_db(struct load *ld, const char *field)
{
	char msg[256] = "no connection";

	/* Only the first line: DETAIL lines may quote the values. */
	if (ld->ad->app.conn != NULL)
		snprintf(
		    msg, sizeof(msg), "%s", PQerrorMessage(ld->ad->app.conn));
	msg[strcspn(msg, "\n")] = '\0';
	return fail(ld, field, "database error: %s", msg);
}

static const char *
shown(const char *s, char out[96])
{
	return admin_shown(s, strlen(s), out, 96);
}

/* Refuse fields of obj not in known (NULL-terminated; list says them). */
static int
check_fields(struct load *ld, json_object *obj, const char *const *known,
    const char *list)
{
	struct json_object_iterator it = json_object_iter_begin(obj);
	struct json_object_iterator end = json_object_iter_end(obj);
	const char *const *k;
	char buf[96];

	for (; !json_object_iter_equal(&it, &end); json_object_iter_next(&it)) {
		const char *name = json_object_iter_peek_name(&it);

		for (k = known; *k != NULL && strcmp(*k, name) != 0; k++)
			;
		if (*k == NULL)
			return fail(ld, shown(name, buf),
			    "unknown field (known: %s)", list);
	}
	return 0;
}

/*
 * The string field name of obj in *s (NUL-terminated, *len bytes): 1 if
 * there, 0 if absent or null and not required, -1 (printed) if missing
 * and required, not a string, or not valid UTF-8 (a \u0000 included).
 */
static int
get_string(struct load *ld, json_object *obj, const char *name, bool required,
    const char **s, size_t *len)
{
	json_object *v = NULL;

	*s = NULL;
	*len = 0;
	if (!json_object_object_get_ex(obj, name, &v) || v == NULL) {
		if (required)
			return fail(ld, name, "missing");
		return 0;
	}
	if (!json_object_is_type(v, json_type_string))
		return fail(ld, name, "not a string");
	*s = json_object_get_string(v);
	*len = (size_t)json_object_get_string_len(v);
	if (!lk_utf8_valid(*s, *len))
		return fail(ld, name, "not valid UTF-8, or holds a NUL");
	return 1;
}

/* The boolean field name of obj, dflt if absent or null: 0 or -1. */
static int
get_bool(
    struct load *ld, json_object *obj, const char *name, bool dflt, bool *out)
{
	json_object *v = NULL;

	*out = dflt;
	if (!json_object_object_get_ex(obj, name, &v) || v == NULL)
		return 0;
	if (!json_object_is_type(v, json_type_boolean))
		return fail(ld, name, "not true or false");
	*out = json_object_get_boolean(v);
	return 0;
}

/* A string field that must pass check: 1, 0 if optional and absent, -1. */
static int
get_checked(struct load *ld, json_object *obj, const char *name, bool required,
    const char *(*check)(const char *, size_t), const char **s)
{
	const char *why;
	size_t len;
	char buf[96];
	int r = get_string(ld, obj, name, required, s, &len);

	if (r <= 0)
		return r;
	if ((why = check(*s, len)) != NULL)
		return fail(ld, name, "'%s': %s", shown(*s, buf), why);
	return 1;
}

/* A text field of at most max characters (min 1 if required). */
static int
get_text(struct load *ld, json_object *obj, const char *name, bool required,
    size_t max, const char **s)
{
	size_t len;
	int r = get_string(ld, obj, name, required, s, &len);

	if (r < 0)
		return -1;
	if (r == 0) {
		*s = "";
		return 0;
	}
	if (required && len == 0)
		return fail(ld, name, "empty");
	if (lk_utf8_chars(*s, len) > max)
		return fail(ld, name, "longer than %zu characters", max);
	return 1;
}

static const char *
check_firstname(const char *s, size_t len)
{
	return admin_check_name(s, len, ADMIN_FIRSTNAME_MAX);
}

static const char *
check_lastname(const char *s, size_t len)
{
	return admin_check_name(s, len, ADMIN_LASTNAME_MAX);
}

/* The one id sql (a literal) finds for value: >0, 0 if none, -1. */
static long long
lookup(struct load *ld, const char *field, const char *sql, const char *value)
{
	const char *values[1] = { value };
	PGresult *res = db_query(&ld->ad->app, sql, 1, values);
	long long id = 0;

	if (res == NULL)
		return fail_db(ld, field);
	if (PQntuples(res) > 0)
		id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return id;
}

static long long
user_id(struct load *ld, const char *field, const char *login)
{
	return lookup(ld, field,
	    "SELECT id FROM users WHERE lower(login) = lower($1)", login);
}

static long long
project_id(struct load *ld, const char *field, const char *identifier)
{
	return lookup(ld, field,
	    "SELECT id FROM projects WHERE identifier = $1", identifier);
}

/* A login that must name a user: its id, or -1 (printed). */
static long long
existing_user(
    struct load *ld, json_object *obj, const char *field, bool required)
{
	const char *login;
	size_t len;
	long long id;
	char buf[96];
	int r = get_string(ld, obj, field, required, &login, &len);

	if (r <= 0)
		return r;
	if ((id = user_id(ld, field, login)) == 0)
		return fail(ld, field, "no user '%s'", shown(login, buf));
	return id;
}

static long long
existing_project(struct load *ld, json_object *obj)
{
	const char *ident;
	size_t len;
	long long id;
	char buf[96];

	if (get_string(ld, obj, "project", true, &ident, &len) < 0)
		return -1;
	if ((id = project_id(ld, "project", ident)) == 0)
		return fail(
		    ld, "project", "no project '%s'", shown(ident, buf));
	return id;
}

/* "duplicate of users[1]" when an earlier entry of this file made id,
 * else "duplicate: ... exists already". */
static int
duplicate(struct load *ld, const char *field, const char *kind,
    const char *value, const long long *ids, size_t n, long long id)
{
	char buf[96];
	size_t i;

	for (i = 0; i < n; i++)
		if (ids[i] == id)
			return fail(ld, field, "duplicate of %s[%zu] ('%s')",
			    kind, i, shown(value, buf));
	return fail(
	    ld, field, "duplicate: '%s' exists already", shown(value, buf));
}

static const char *const known_settings[] = { "rest_api_enabled",
	"login_required", NULL };

static int
load_settings(struct load *ld, json_object *settings)
{
	struct json_object_iterator it, end;
	const char *values[2];

	snprintf(ld->where, sizeof(ld->where), "settings");
	if (!json_object_is_type(settings, json_type_object))
		return fail(ld, NULL, "not an object");
	if (check_fields(ld, settings, known_settings,
		"rest_api_enabled, login_required") != 0)
		return -1;
	it = json_object_iter_begin(settings);
	end = json_object_iter_end(settings);
	for (; !json_object_iter_equal(&it, &end); json_object_iter_next(&it)) {
		const char *name = json_object_iter_peek_name(&it);
		json_object *v = json_object_iter_peek_value(&it);

		if (!json_object_is_type(v, json_type_boolean))
			return fail(ld, name, "not true or false");
		values[0] = name;
		values[1] = json_object_get_boolean(v) ? "1" : "0";
		if (db_command(&ld->ad->app,
			"INSERT INTO settings (name, value) VALUES ($1, "
			"$2) ON CONFLICT (name) DO UPDATE SET value = "
			"excluded.value, updated_on = now()",
			2, values) < 0)
			return fail_db(ld, name);
		ld->nsettings++;
	}
	return 0;
}

static const char *const user_fields[] = { "login", "firstname", "lastname",
	"mail", "admin", "status", "must_change_password", "password",
	"password_hash", "salt", "api_key", NULL };

/* The password of a user entry as a hash to store, and its salt (a
 * Redmine SHA-1 hash's own, else ""). *fresh: hashed here, now. */
static int
user_password(struct load *ld, json_object *u, char hash[LK_HASH_MAX],
    const char **salt, bool *fresh)
{
	const char *pw, *ph;
	size_t pwlen, phlen, saltlen, i;
	enum lk_hashfmt fmt;
	enum lk_err err;
	int has_pw, has_ph, has_salt;

	has_pw = get_string(ld, u, "password", false, &pw, &pwlen);
	if (has_pw < 0)
		return -1;
	has_ph = get_string(ld, u, "password_hash", false, &ph, &phlen);
	if (has_ph < 0)
		return -1;
	has_salt = get_string(ld, u, "salt", false, salt, &saltlen);
	if (has_salt < 0)
		return -1;
	if (has_pw && has_ph)
		return fail(ld, "password_hash",
		    "give password or password_hash, not both");
	if (!has_pw && !has_ph)
		return fail(ld, "password", "missing (or password_hash)");
	*fresh = has_pw;
	if (has_pw) {
		if (has_salt)
			return fail(ld, "salt",
			    "only with a Redmine SHA-1 password_hash");
		if (pwlen == 0)
			return fail(ld, "password", "empty");
		if (pwlen > LK_CRED_MAX)
			return fail(ld, "password", "longer than %d bytes",
			    LK_CRED_MAX);
		err = lk_password_hash(&ld->cost, pw, pwlen, hash);
		/* The tree is ours and the password has done its work. */
		lk_wipe((char *)pw, pwlen);
		if (err != LK_OK)
			return fail(ld, "password",
			    "cannot hash it at "
			    "password_opslimit/password_memlimit: %s",
			    lk_err_str(err));
		*salt = "";
		return 0;
	}
	/* Stored as it is, once the verifier is known to read it: else the
	 * account could never sign in and nobody would know why. */
	fmt = lk_hashfmt_classify(ph, phlen);
	if (fmt == LK_HASH_UNREADABLE || phlen >= LK_HASH_MAX)
		return fail(ld, "password_hash",
		    "not an argon2id, bcrypt or Redmine SHA-1 hash");
	if (fmt != LK_HASH_REDMINE_SHA1 && has_salt)
		return fail(
		    ld, "salt", "only with a Redmine SHA-1 password_hash");
	if (fmt == LK_HASH_REDMINE_SHA1) {
		if (!has_salt || saltlen == 0)
			return fail(ld, "salt",
			    "missing: a Redmine SHA-1 password_hash needs "
			    "its salt");
		if (saltlen >= LK_HASH_MAX)
			return fail(ld, "salt", "longer than %d bytes",
			    LK_HASH_MAX - 1);
		/* Redmine's are hex; printable ASCII is room enough. */
		for (i = 0; i < saltlen; i++)
			if ((unsigned char)(*salt)[i] <= ' ' ||
			    (unsigned char)(*salt)[i] >= 0x7f)
				return fail(ld, "salt",
				    "not printable ASCII without spaces");
	} else {
		*salt = "";
	}
	memcpy(hash, ph, phlen + 1);
	return 0;
}

static int
load_user(struct load *ld, json_object *u, size_t index)
{
	const char *login, *first, *last, *mail, *status_s, *salt, *key;
	char hash[LK_HASH_MAX] = "", id[24], keyout[LK_KEY_LEN + 1];
	const char *values[10];
	const char *status = "1";
	size_t len, keylen;
	bool admin, must_change, fresh = false;
	long long other;
	enum lk_err err;
	PGresult *res;
	int rc = -1, r;

	if (!json_object_is_type(u, json_type_object))
		return fail(ld, NULL, "not an object");
	if (check_fields(ld, u, user_fields,
		"login, firstname, lastname, mail, admin, status, "
		"must_change_password, password, password_hash, salt, "
		"api_key") != 0)
		return -1;
	if (get_checked(ld, u, "login", true, admin_check_login, &login) < 0)
		return -1;
	if ((other = user_id(ld, "login", login)) < 0)
		return -1;
	if (other > 0)
		return duplicate(
		    ld, "login", "users", login, ld->user_ids, index, other);
	if (get_checked(ld, u, "firstname", true, check_firstname, &first) < 0)
		return -1;
	if (get_checked(ld, u, "lastname", true, check_lastname, &last) < 0)
		return -1;
	if (get_checked(ld, u, "mail", true, admin_check_mail, &mail) < 0)
		return -1;
	if (get_bool(ld, u, "admin", false, &admin) != 0)
		return -1;
	if (get_bool(ld, u, "must_change_password", false, &must_change) != 0)
		return -1;
	if ((r = get_string(ld, u, "status", false, &status_s, &len)) < 0)
		return -1;
	if (r > 0) {
		char buf[96];

		if (strcmp(status_s, "active") == 0)
			status = "1";
		else if (strcmp(status_s, "registered") == 0)
			status = "2";
		else if (strcmp(status_s, "locked") == 0)
			status = "3";
		else
			return fail(ld, "status",
			    "'%s' is not active, registered or locked",
			    shown(status_s, buf));
	}
	if ((r = get_string(ld, u, "api_key", false, &key, &keylen)) < 0)
		return -1;
	/* The value is a secret: never quoted in a message. */
	if (r > 0 && !lk_apikey_shape(key, keylen))
		return fail(ld, "api_key", "not 40 lowercase hex characters");
	if (user_password(ld, u, hash, &salt, &fresh) != 0)
		goto out;
	values[0] = login;
	values[1] = first;
	values[2] = last;
	values[3] = mail;
	values[4] = admin ? "t" : "f";
	values[5] = status;
	values[6] = hash;
	values[7] = salt;
	values[8] = must_change ? "t" : "f";
	/* An imported hash was set who knows when: say so with NULL. */
	values[9] = fresh ? "t" : "f";
	res = db_query(&ld->ad->app,
	    "INSERT INTO users (login, firstname, lastname, mail, admin, "
	    "status, hashed_password, salt, must_change_passwd, "
	    "passwd_changed_on) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, "
	    "$9, CASE WHEN $10::boolean THEN now() END) RETURNING id",
	    10, values);
	if (res == NULL) {
		fail_db(ld, NULL);
		goto out;
	}
	ld->user_ids[index] = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	snprintf(id, sizeof(id), "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	if (key != NULL) {
		err = lk_pgstore_key_set(&ld->ad->app.pgstore,
		    &ld->ad->app.keys, ld->user_ids[index], key, keyout);
		lk_wipe((char *)key, keylen);
		lk_wipe(keyout, sizeof(keyout));
		if (err == LK_EINVAL) {
			fail(ld, "api_key", "another user has this key");
			goto out;
		}
		if (err != LK_OK) {
			fail_db(ld, "api_key");
			goto out;
		}
	}
	ld->nusers++;
	rc = 0;
out:
	sodium_memzero(hash, sizeof(hash));
	return rc;
}

static const char *const member_fields[] = { "login", "role", NULL };

static int
load_member(struct load *ld, json_object *m, long long project)
{
	const char *role, *values[3];
	char pid[24], uid[24], buf[96];
	size_t len;
	long long user;
	PGresult *res;
	bool taken;

	if (!json_object_is_type(m, json_type_object))
		return fail(ld, NULL, "not an object");
	if (check_fields(ld, m, member_fields, "login, role") != 0)
		return -1;
	if ((user = existing_user(ld, m, "login", true)) < 0)
		return -1;
	if (get_string(ld, m, "role", true, &role, &len) < 0)
		return -1;
	if (strcmp(role, "viewer") != 0 && strcmp(role, "contributor") != 0 &&
	    strcmp(role, "manager") != 0)
		return fail(ld, "role",
		    "'%s' is not viewer, contributor or manager",
		    shown(role, buf));
	snprintf(pid, sizeof(pid), "%lld", project);
	snprintf(uid, sizeof(uid), "%lld", user);
	values[0] = pid;
	values[1] = uid;
	values[2] = role;
	res = db_query(&ld->ad->app,
	    "SELECT 1 FROM members WHERE project_id = $1 AND user_id = $2", 2,
	    values);
	if (res == NULL)
		return fail_db(ld, "login");
	taken = PQntuples(res) > 0;
	PQclear(res);
	if (taken)
		return fail(ld, "login", "duplicate: already a member");
	if (db_command(&ld->ad->app,
		"INSERT INTO members (project_id, user_id, role) VALUES "
		"($1, $2, $3)",
		3, values) != 1)
		return fail_db(ld, NULL);
	ld->nmembers++;
	return 0;
}

static const char *const project_fields[] = { "identifier", "name",
	"description", "is_public", "members", NULL };

static int
load_project(struct load *ld, json_object *p, size_t index)
{
	const char *ident, *name, *desc, *values[4];
	json_object *members = NULL;
	char entry[sizeof(ld->where)];
	bool public;
	long long other, id;
	PGresult *res;
	size_t i, n;

	if (!json_object_is_type(p, json_type_object))
		return fail(ld, NULL, "not an object");
	if (check_fields(ld, p, project_fields,
		"identifier, name, description, is_public, members") != 0)
		return -1;
	if (get_checked(
		ld, p, "identifier", true, admin_check_identifier, &ident) < 0)
		return -1;
	if ((other = project_id(ld, "identifier", ident)) < 0)
		return -1;
	if (other > 0)
		return duplicate(ld, "identifier", "projects", ident,
		    ld->project_ids, index, other);
	if (get_text(ld, p, "name", true, 255, &name) < 0 ||
	    get_text(ld, p, "description", false, (size_t)-1, &desc) < 0)
		return -1;
	if (get_bool(ld, p, "is_public", true, &public) != 0)
		return -1;
	if (json_object_object_get_ex(p, "members", &members) &&
	    members != NULL && !json_object_is_type(members, json_type_array))
		return fail(ld, "members", "not a list");
	values[0] = ident;
	values[1] = name;
	values[2] = desc;
	values[3] = public ? "t" : "f";
	res = db_query(&ld->ad->app,
	    "INSERT INTO projects (identifier, name, description, "
	    "is_public) VALUES ($1, $2, $3, $4) RETURNING id",
	    4, values);
	if (res == NULL)
		return fail_db(ld, NULL);
	id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	ld->project_ids[index] = id;
	ld->nprojects++;
	memcpy(entry, ld->where, sizeof(entry));
	n = members ? json_object_array_length(members) : 0;
	for (i = 0; i < n; i++) {
		snprintf(
		    ld->where, sizeof(ld->where), "%s.members[%zu]", entry, i);
		if (load_member(
			ld, json_object_array_get_idx(members, i), id) != 0)
			return -1;
	}
	return 0;
}

static const char *const news_fields[] = { "project", "author", "title",
	"summary", "description", NULL };

static int
load_news(struct load *ld, json_object *e)
{
	const char *title, *summary, *desc, *values[5];
	char pid[24], aid[24];
	long long project, author;

	if (!json_object_is_type(e, json_type_object))
		return fail(ld, NULL, "not an object");
	if (check_fields(ld, e, news_fields,
		"project, author, title, summary, description") != 0)
		return -1;
	if ((project = existing_project(ld, e)) < 0 ||
	    (author = existing_user(ld, e, "author", true)) < 0)
		return -1;
	if (get_text(ld, e, "title", true, 60, &title) < 0 ||
	    get_text(ld, e, "summary", false, 255, &summary) < 0 ||
	    get_text(ld, e, "description", false, (size_t)-1, &desc) < 0)
		return -1;
	snprintf(pid, sizeof(pid), "%lld", project);
	snprintf(aid, sizeof(aid), "%lld", author);
	values[0] = pid;
	values[1] = aid;
	values[2] = title;
	values[3] = summary;
	values[4] = desc;
	if (db_command(&ld->ad->app,
		"INSERT INTO news (project_id, author_id, title, summary, "
		"description) VALUES ($1, $2, $3, $4, $5)",
		5, values) != 1)
		return fail_db(ld, NULL);
	ld->nnews++;
	return 0;
}

/* The trackers, statuses and priorities an issue names, with defaults. */
static const struct named {
	const char *field;
	const char *dflt;
	const char *sql_id;    /* its id by name, ignoring case */
	const char *sql_names; /* all the names, for the message */
} named[] = {
	{ "tracker", "Bug",
	    "SELECT id FROM trackers WHERE lower(name) = lower($1)",
	    "SELECT string_agg(name, ', ' ORDER BY position) FROM "
	    "trackers" },
	{ "status", "New",
	    "SELECT id FROM issue_statuses WHERE lower(name) = lower($1)",
	    "SELECT string_agg(name, ', ' ORDER BY position) FROM "
	    "issue_statuses" },
	{ "priority", "Normal",
	    "SELECT id FROM issue_priorities WHERE lower(name) = lower($1)",
	    "SELECT string_agg(name, ', ' ORDER BY position) FROM "
	    "issue_priorities" },
};

/* The id of the tracker, status or priority an issue names: >0 or -1. */
static long long
named_id(struct load *ld, json_object *e, const struct named *nm)
{
	const char *name;
	char buf[96];
	size_t len;
	long long id;
	PGresult *res;
	int r;

	if ((r = get_string(ld, e, nm->field, false, &name, &len)) < 0)
		return -1;
	if (r == 0)
		name = nm->dflt;
	if ((id = lookup(ld, nm->field, nm->sql_id, name)) != 0)
		return id;
	res = db_query(&ld->ad->app, nm->sql_names, 0, NULL);
	if (res == NULL)
		return fail_db(ld, nm->field);
	fail(ld, nm->field, "no %s '%s' (%s)", nm->field, shown(name, buf),
	    PQgetvalue(res, 0, 0));
	PQclear(res);
	return -1;
}

static const char *const issue_fields[] = { "project", "author", "assigned_to",
	"subject", "description", "tracker", "status", "priority", NULL };

static int
load_issue(struct load *ld, json_object *e)
{
	const char *subject, *desc, *values[8];
	char ids[6][24];
	long long v[6];
	size_t i;

	if (!json_object_is_type(e, json_type_object))
		return fail(ld, NULL, "not an object");
	if (check_fields(ld, e, issue_fields,
		"project, author, assigned_to, subject, description, "
		"tracker, status, priority") != 0)
		return -1;
	if ((v[0] = existing_project(ld, e)) < 0 ||
	    (v[1] = existing_user(ld, e, "author", true)) < 0 ||
	    (v[2] = existing_user(ld, e, "assigned_to", false)) < 0)
		return -1;
	for (i = 0; i < 3; i++)
		if ((v[3 + i] = named_id(ld, e, &named[i])) < 0)
			return -1;
	if (get_text(ld, e, "subject", true, 255, &subject) < 0 ||
	    get_text(ld, e, "description", false, (size_t)-1, &desc) < 0)
		return -1;
	for (i = 0; i < 6; i++) {
		snprintf(ids[i], sizeof(ids[i]), "%lld", v[i]);
		values[i] = ids[i];
	}
	if (v[2] == 0)
		values[2] = NULL; /* nobody assigned */
	values[6] = subject;
	values[7] = desc;
	/* An issue loaded closed was closed on loading, as far as we know. */
	if (db_command(&ld->ad->app,
		"INSERT INTO issues (project_id, author_id, "
		"assigned_to_id, tracker_id, status_id, priority_id, "
		"subject, description, closed_on) VALUES ($1, $2, $3, $4, "
		"$5, $6, $7, $8, CASE WHEN (SELECT is_closed FROM "
		"issue_statuses WHERE id = $5::integer) THEN now() END)",
		8, values) != 1)
		return fail_db(ld, NULL);
	ld->nissues++;
	return 0;
}

static const char *const top_fields[] = { "settings", "users", "projects",
	"news", "issues", NULL };

/* Check the shape of the top level before the database is touched. */
static int
check_top(struct load *ld, json_object *root)
{
	size_t i;
	json_object *v;

	ld->where[0] = '\0';
	if (!json_object_is_type(root, json_type_object))
		return fail(
		    ld, NULL, "not a JSON object ({\"users\": [...], ...})");
	if (check_fields(ld, root, top_fields,
		"settings, users, projects, news, issues") != 0)
		return -1;
	for (i = 1; top_fields[i] != NULL; i++)
		if (json_object_object_get_ex(root, top_fields[i], &v) &&
		    v != NULL && !json_object_is_type(v, json_type_array))
			return fail(ld, top_fields[i], "not a list");
	return 0;
}

/* Load the array field name of root with one, naming each entry. */
static int
load_list(struct load *ld, json_object *root, const char *name,
    int (*one)(struct load *, json_object *, size_t))
{
	json_object *list = NULL;
	size_t i, n;

	if (!json_object_object_get_ex(root, name, &list) || list == NULL)
		return 0;
	n = json_object_array_length(list);
	for (i = 0; i < n; i++) {
		snprintf(ld->where, sizeof(ld->where), "%s[%zu]", name, i);
		if (one(ld, json_object_array_get_idx(list, i), i) != 0)
			return -1;
	}
	return 0;
}

static int
one_news(struct load *ld, json_object *e, size_t i)
{
	(void)i;
	return load_news(ld, e);
}

static int
one_issue(struct load *ld, json_object *e, size_t i)
{
	(void)i;
	return load_issue(ld, e);
}

/* The whole data set, inside the caller's transaction: 0 or -1. */
static int
load_all(struct load *ld, json_object *root)
{
	json_object *v = NULL;
	size_t n;

	/* Room to remember which entry made which id. */
	n = json_object_object_get_ex(root, "users", &v) && v
		? json_object_array_length(v)
		: 0;
	ld->user_ids = calloc(n + 1, sizeof(*ld->user_ids));
	v = NULL;
	n = json_object_object_get_ex(root, "projects", &v) && v
		? json_object_array_length(v)
		: 0;
	ld->project_ids = calloc(n + 1, sizeof(*ld->project_ids));
	if (ld->user_ids == NULL || ld->project_ids == NULL) {
		fprintf(stderr, "latchkey: load: out of memory\n");
		return -1;
	}
	if (json_object_object_get_ex(root, "settings", &v) && v != NULL &&
	    load_settings(ld, v) != 0)
		return -1;
	if (load_list(ld, root, "users", load_user) != 0 ||
	    load_list(ld, root, "projects", load_project) != 0 ||
	    load_list(ld, root, "news", one_news) != 0 ||
	    load_list(ld, root, "issues", one_issue) != 0)
		return -1;
	return 0;
}

/* Wipe the passwords and keys of the tree before json-c frees it: they
 * are secrets, and an entry that failed never got to wipe its own. */
static void
wipe_secrets(json_object *root)
{
	static const char *const fields[] = { "password", "api_key" };
	json_object *users = NULL, *v;
	size_t i, k, n;

	if (root == NULL || !json_object_object_get_ex(root, "users", &users) ||
	    !json_object_is_type(users, json_type_array))
		return;
	n = json_object_array_length(users);
	for (i = 0; i < n; i++) {
		json_object *u = json_object_array_get_idx(users, i);

		for (k = 0; k < 2; k++)
			if (json_object_is_type(u, json_type_object) &&
			    json_object_object_get_ex(u, fields[k], &v) &&
			    json_object_is_type(v, json_type_string))
				lk_wipe((char *)json_object_get_string(v),
				    (size_t)json_object_get_string_len(v));
	}
}

/* Parse the file's bytes: the tree (the caller's to put), or NULL. */
static json_object *
parse(struct load *ld, const char *data, size_t len)
{
	json_tokener *tok = json_tokener_new();
	json_object *root = NULL;
	enum json_tokener_error jerr;
	size_t end, i, line = 1, col = 1;

	if (tok == NULL) {
		fprintf(stderr, "latchkey: load: out of memory\n");
		return NULL;
	}
	json_tokener_set_flags(
	    tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	root = json_tokener_parse_ex(tok, data, (int)len);
	jerr = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	if (root != NULL && jerr == json_tokener_success) {
		while (end < len && (data[end] == ' ' || data[end] == '\t' ||
					data[end] == '\n' || data[end] == '\r'))
			end++;
		if (end == len)
			goto out;
		json_object_put(root);
		root = NULL;
	}
	for (i = 0; i < end && i < len; i++) {
		col++;
		if (data[i] == '\n') {
			line++;
			col = 1;
		}
	}
	fprintf(stderr, "latchkey: load: %s:%zu:%zu: not JSON: %s\n", ld->file,
	    line, col,
	    jerr == json_tokener_continue  ? "unexpected end of file"
	    : jerr == json_tokener_success ? "more after the end of the value"
					   : json_tokener_error_desc(jerr));
out:
	json_tokener_free(tok);
	return root;
}

static int
exec_simple(struct load *ld, const char *sql)
{
	PGresult *res = PQexec(ld->ad->app.conn, sql);
	ExecStatusType st = PQresultStatus(res);
	int rc = 0;

	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
		char msg[256];

		snprintf(
		    msg, sizeof(msg), "%s", PQerrorMessage(ld->ad->app.conn));
		msg[strcspn(msg, "\n")] = '\0';
		fprintf(stderr, "latchkey: load: %s: %s\n", ld->file, msg);
		rc = -1;
	}
	PQclear(res);
	return rc;
}

/* True if `latchkey migrate` has made the tables (else printed). */
static bool
schema_ready(struct load *ld)
{
	PGresult *res = db_query(&ld->ad->app,
	    "SELECT to_regclass('datasets') IS NOT NULL", 0, NULL);
	bool ready = res != NULL && PQgetvalue(res, 0, 0)[0] == 't';

	if (res == NULL)
		fail_db(ld, NULL);
	else if (!ready)
		fprintf(stderr, "latchkey: load: no datasets table: run "
				"'latchkey migrate' first\n");
	PQclear(res);
	return ready;
}

/* 1 if the data set with this digest is in, 0 if not, -1 (printed). */
static int
already_loaded(struct load *ld, const char *digest)
{
	const char *values[1] = { digest };
	PGresult *res = db_query(&ld->ad->app,
	    "SELECT name, iso8601(loaded_on) FROM datasets WHERE digest = "
	    "$1",
	    1, values);
	char buf[96];

	if (res == NULL) {
		ld->where[0] = '\0';
		fail_db(ld, "datasets");
		return -1;
	}
	if (PQntuples(res) == 0) {
		PQclear(res);
		return 0;
	}
	printf("latchkey: load: %s: already loaded (as %s, %s); nothing to "
	       "do\n",
	    ld->file, shown(PQgetvalue(res, 0, 0), buf), PQgetvalue(res, 0, 1));
	PQclear(res);
	return 1;
}

static const char *
plural(size_t n)
{
	return n == 1 ? "" : "s";
}

int
admin_load(struct admin *ad, int argc, char **argv)
{
	struct load ld;
	struct buf b = { 0 };
	json_object *root = NULL;
	uint8_t digest[crypto_generichash_BYTES];
	char hex[2 * crypto_generichash_BYTES + 1], name[96];
	const char *base, *values[2];
	bool in_tx = false;
	int rc = 1;

	if (admin_wants_help(argc, argv) || argc != 2) {
		fputs(usage_text, argc == 2 ? stdout : stderr);
		return argc == 2 ? 0 : 1;
	}
	memset(&ld, 0, sizeof(ld));
	ld.ad = ad;
	ld.file = argv[1];
	ld.cost.opslimit = ad->cfg.password_opslimit;
	ld.cost.memlimit = (size_t)ad->cfg.password_memlimit;
	if (file_read(ld.file, LOAD_MAX, &b) != 0) {
		fprintf(stderr, "latchkey: load: %s: %s\n", ld.file,
		    errno == EFBIG ? "larger than 64 MiB" : strerror(errno));
		goto out;
	}
	if ((root = parse(&ld, b.data ? b.data : "", b.len)) == NULL ||
	    check_top(&ld, root) != 0)
		goto out;
	if (admin_open(ad) != 0)
		goto out;
	crypto_generichash(digest, sizeof(digest),
	    (const unsigned char *)(b.data ? b.data : ""), b.len, NULL, 0);
	sodium_bin2hex(hex, sizeof(hex), digest, sizeof(digest));
	/* Asked before BEGIN: in a transaction, the error would abort it
	 * and hide its own SQLSTATE behind 25P02. */
	if (!schema_ready(&ld))
		goto out;
	/* The lock makes a concurrent load of the same file wait, then
	 * find it loaded, instead of failing on the datasets key. */
	if (exec_simple(&ld, "BEGIN; SELECT pg_advisory_xact_lock(4243)") != 0)
		goto out;
	in_tx = true;
	switch (already_loaded(&ld, hex)) {
	case 1:
		rc = 0;
		/* FALLTHROUGH */
	case -1:
		goto out;
	}
	if (load_all(&ld, root) != 0)
		goto out;
	base = strrchr(ld.file, '/') ? strrchr(ld.file, '/') + 1 : ld.file;
	values[0] = hex;
	values[1] = admin_shown(base, strlen(base), name, sizeof(name));
	ld.where[0] = '\0';
	if (db_command(&ad->app,
		"INSERT INTO datasets (digest, name) VALUES ($1, $2)", 2,
		values) != 1) {
		fail_db(&ld, "datasets");
		goto out;
	}
	if (exec_simple(&ld, "COMMIT") != 0)
		goto out;
	in_tx = false;
	printf("latchkey: %s: loaded %zu user%s, %zu project%s, %zu news, %zu "
	       "issue%s (%zu setting%s, %zu membership%s)\n",
	    ld.file, ld.nusers, plural(ld.nusers), ld.nprojects,
	    plural(ld.nprojects), ld.nnews, ld.nissues, plural(ld.nissues),
	    ld.nsettings, plural(ld.nsettings), ld.nmembers,
	    plural(ld.nmembers));
	rc = 0;
out:
	if (in_tx) {
		PGresult *res = PQexec(ad->app.conn, "ROLLBACK");

		PQclear(res);
		if (rc != 0)
			fprintf(stderr, "latchkey: load: %s: nothing loaded\n",
			    ld.file);
	}
	wipe_secrets(root);
	json_object_put(root);
	buf_free(&b);
	free(ld.user_ids);
	free(ld.project_ids);
	return rc;
}
